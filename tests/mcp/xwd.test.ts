import { decodeXwd } from "../../mcp/screenshot/xwd.ts";

/** An XWD file as `xwd` writes it: big-endian header, window name, colormap entries, pixels in `byteOrder`. */
function xwd(opts: { width: number; height: number; bpp: 16 | 24 | 32; lsb: boolean; masks: [number, number, number]; pixels: number[]; ncolors?: number }): Buffer {
  const name = Buffer.from("xwdump\0");
  const headerSize = 100 + name.length;
  const bytesPerPixel = opts.bpp / 8;
  const bytesPerLine = Math.ceil((opts.width * bytesPerPixel) / 4) * 4; // padded to 32 bits
  const ncolors = opts.ncolors ?? 0;
  const header = Buffer.alloc(100);
  const fields = [headerSize, 7, 2, 24, opts.width, opts.height, 0, opts.lsb ? 0 : 1, 32, 0, 32, opts.bpp, bytesPerLine, 4,
    ...opts.masks, 8, 256, ncolors, opts.width, opts.height, 0, 0, 0];
  fields.forEach((v, i) => header.writeUInt32BE(v >>> 0, i * 4));
  const pixels = Buffer.alloc(bytesPerLine * opts.height);
  opts.pixels.forEach((v, i) => {
    const at = Math.floor(i / opts.width) * bytesPerLine + (i % opts.width) * bytesPerPixel;
    if (opts.lsb) pixels.writeUIntLE(v, at, bytesPerPixel);
    else pixels.writeUIntBE(v, at, bytesPerPixel);
  });
  return Buffer.concat([header, name, Buffer.alloc(ncolors * 12), pixels]);
}

describe("decodeXwd", () => {
  const RGB = [0xff0000, 0x00ff00, 0x0000ff, 0x808080, 0xffffff, 0x000000];
  it.each([
    ["32 bpp LSBFirst (Xvfb, x86 servers)", 32, true],
    ["32 bpp MSBFirst", 32, false],
    ["24 bpp packed", 24, true],
  ] as const)("%s", (_l, bpp, lsb) => {
    const img = decodeXwd(xwd({ width: 3, height: 2, bpp, lsb, masks: [0xff0000, 0xff00, 0xff], pixels: RGB, ncolors: 2 }));
    expect([img.width, img.height]).toEqual([3, 2]);
    expect(Array.from(img.data)).toEqual(RGB.flatMap((v) => [(v >> 16) & 255, (v >> 8) & 255, v & 255]));
  });

  it("16 bpp RGB565 scales channels to 8 bits", () => {
    const img = decodeXwd(xwd({ width: 2, height: 1, bpp: 16, lsb: true, masks: [0xf800, 0x07e0, 0x001f], pixels: [0xf800, 0x07ff] }));
    expect(Array.from(img.data)).toEqual([255, 0, 0, 0, 255, 255]);
  });

  it.each([
    ["truncated", (b: Buffer) => b.subarray(0, b.length - 4), /truncated/],
    ["not XWD", () => Buffer.alloc(120), /unsupported XWD version 0/],
    ["too short", () => Buffer.alloc(10), /shorter than its header/],
  ])("rejects %s data", (_l, mangle, expected) => {
    const good = xwd({ width: 2, height: 2, bpp: 32, lsb: true, masks: [0xff0000, 0xff00, 0xff], pixels: [1, 2, 3, 4] });
    expect(() => decodeXwd(mangle(good))).toThrow(expected);
  });
});
