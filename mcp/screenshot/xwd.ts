// Decoder for the X Window Dump format `xwd -root` writes, so that the xwd fallback works without ImageMagick
// (sharp/libvips cannot read XWD). Covers TrueColor/DirectColor ZPixmaps at 16, 24 and 32 bits per pixel, which
// is what X servers use today; palette visuals are refused with a clear message.
// Layout (X11 XWDFile.h): a 100-byte header of 25 big-endian CARD32, the window name up to header_size,
// ncolors × 12-byte XWDColor entries, then height × bytes_per_line of pixels in the header's byte_order.

export interface RawImage {
  readonly width: number;
  readonly height: number;
  /** RGB, 3 bytes per pixel, rows top to bottom. */
  readonly data: Buffer;
}

const ZPIXMAP = 2;
const TRUE_COLOR = 4;
const DIRECT_COLOR = 5;

function shiftOf(mask: number): number {
  let s = 0;
  while (s < 32 && ((mask >>> s) & 1) === 0) s++;
  return s;
}

function bitsOf(mask: number): number {
  return mask === 0 ? 0 : (mask >>> shiftOf(mask)).toString(2).length;
}

function scaleTo8(value: number, bits: number): number {
  if (bits === 8) return value;
  return bits > 8 ? value >>> (bits - 8) : Math.round((value * 255) / ((1 << bits) - 1));
}

/** Pure: XWD bytes → RGB pixels. Throws with a reason on formats it does not handle. */
export function decodeXwd(buf: Buffer): RawImage {
  if (buf.length < 100) throw new Error("XWD data is shorter than its header");
  const h = (i: number) => buf.readUInt32BE(i * 4);
  const headerSize = h(0);
  const version = h(1);
  const format = h(2);
  const width = h(4);
  const height = h(5);
  const byteOrder = h(7); // 0 = LSBFirst
  const bitsPerPixel = h(11);
  const bytesPerLine = h(12);
  const visualClass = h(13);
  const masks = [h(14), h(15), h(16)] as const;
  const ncolors = h(19);
  if (version !== 7) throw new Error(`unsupported XWD version ${version}`);
  if (format !== ZPIXMAP) throw new Error(`unsupported XWD pixmap format ${format} (only ZPixmap)`);
  if (visualClass !== TRUE_COLOR && visualClass !== DIRECT_COLOR) {
    throw new Error(`unsupported X visual class ${visualClass} (only TrueColor/DirectColor)`);
  }
  if (![16, 24, 32].includes(bitsPerPixel)) throw new Error(`unsupported XWD depth of ${bitsPerPixel} bits per pixel`);
  const pixelsAt = headerSize + ncolors * 12;
  if (buf.length < pixelsAt + bytesPerLine * height) throw new Error("XWD data is truncated");

  const bytesPerPixel = bitsPerPixel / 8;
  const shifts = masks.map(shiftOf);
  const bits = masks.map(bitsOf);
  if (bits.some((b) => b === 0)) throw new Error("XWD colour masks are empty");
  const out = Buffer.allocUnsafe(width * height * 3);
  const lsb = byteOrder === 0;
  for (let y = 0; y < height; y++) {
    let p = pixelsAt + y * bytesPerLine;
    let o = y * width * 3;
    for (let x = 0; x < width; x++, p += bytesPerPixel, o += 3) {
      let v: number;
      if (bytesPerPixel === 4) v = lsb ? buf.readUInt32LE(p) : buf.readUInt32BE(p);
      else if (bytesPerPixel === 3) v = lsb ? buf.readUIntLE(p, 3) : buf.readUIntBE(p, 3);
      else v = lsb ? buf.readUInt16LE(p) : buf.readUInt16BE(p);
      for (let c = 0; c < 3; c++) out[o + c] = scaleTo8((v & masks[c]!) >>> shifts[c]!, bits[c]!);
    }
  }
  return { width, height, data: out };
}
