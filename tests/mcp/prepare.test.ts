import sharp from "sharp";
import { ToolError } from "../../mcp/errors.ts";
import { prepareImage } from "../../mcp/image/prepare.ts";
import { photoJpeg, screenshotPng, solidImage } from "../fixtures/images/generate.ts";

describe("prepareImage", () => {
  it("sends a 4K screenshot as ≤1300 tokens and ≤200 KB, decodable at the announced size", async () => {
    const p = await prepareImage(await screenshotPng(3840, 2160), { maxTokens: 1280 });
    expect([p.width, p.height, p.tokens]).toEqual([1504, 832, 1222]);
    expect(p.data.length).toBeLessThanOrEqual(200 * 1024);
    const meta = await sharp(p.data).metadata();
    expect([meta.width, meta.height, `image/${meta.format}`]).toEqual([1504, 832, p.mimeType]);
    expect(p.original).toEqual({ format: "png", width: 3840, height: 2160, bytes: expect.any(Number) });
  });

  it("picks PNG for flat UI-like content and JPEG for photos, whichever is smaller", async () => {
    const flat = await prepareImage(await solidImage(1200, 800, { r: 40, g: 40, b: 40 }, "png"), { maxTokens: 1280 });
    expect(flat.mimeType).toBe("image/png");
    const photo = await prepareImage(await photoJpeg(1600, 1200), { maxTokens: 1280 });
    expect(photo.mimeType).toBe("image/jpeg");
    const asPng = await sharp(photo.data).png().toBuffer();
    expect(photo.data.length).toBeLessThan(asPng.length);
  });

  it("lowers JPEG quality until the image fits the byte ceiling", async () => {
    const photo = await photoJpeg(1600, 1200);
    const roomy = await prepareImage(photo, { maxTokens: 1280 });
    const tight = await prepareImage(photo, { maxTokens: 1280, maxBytes: Math.floor(roomy.data.length / 2) });
    expect(tight.data.length).toBeLessThanOrEqual(Math.floor(roomy.data.length / 2));
    expect([tight.width, tight.height]).toEqual([roomy.width, roomy.height]);
  });

  it.each([
    ["text", Buffer.from("hello\n"), /^pic is not an image: it is a text file\.$/],
    ["truncated JPEG", Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]), /^pic looks like JPEG but cannot be decoded/],
    ["HEIC the build cannot decode",
      Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypheic\0\0\0\0mif1heic", "latin1"), Buffer.alloc(64)]),
      /^pic cannot be decoded: HEIC images use the HEVC codec.*Convert it to PNG or JPEG first\.$/],
    ["extreme aspect ratio", null, /^pic cannot be sent: image aspect ratio 250:1 is above the model's limit of 200:1\.$/],
  ])("refuses %s with a ToolError", async (_l, input, expected) => {
    const buf = input ?? (await solidImage(5000, 20, { r: 0, g: 0, b: 0 }, "png"));
    const err = await prepareImage(buf, { maxTokens: 1280 }, "pic").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as Error).message).toMatch(expected);
  });
});
