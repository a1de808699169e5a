import { sniffImage } from "../../mcp/image/sniff.ts";
import { solidImage } from "../fixtures/images/generate.ts";

const bytes = (...b: number[]) => Buffer.from(b);
const ascii = (s: string) => Buffer.from(s, "latin1");

describe("sniffImage (magic bytes)", () => {
  it.each([
    ["png", "png"], ["jpeg", "jpeg"], ["gif", "gif"], ["webp", "webp"], ["tiff", "tiff"], ["avif", "avif"],
  ] as const)("recognises a real %s file", async (format, kind) => {
    expect(sniffImage(await solidImage(16, 16, { r: 1, g: 2, b: 3 }, format))).toEqual({ image: true, kind });
  });

  it.each([
    ["SVG with XML declaration and comment", ascii('<?xml version="1.0"?>\n<!-- x -->\n<svg xmlns="http://www.w3.org/2000/svg"/>'), "svg"],
    ["SVG with BOM and doctype", Buffer.concat([bytes(0xef, 0xbb, 0xbf), ascii('<!DOCTYPE svg>\n<svg width="1">')]), "svg"],
    ["HEIC", Buffer.concat([bytes(0, 0, 0, 0x18), ascii("ftypheic"), bytes(0, 0, 0, 0), ascii("mif1heic")]), "heic"],
    ["AVIF via mif1 + avif brand", Buffer.concat([bytes(0, 0, 0, 0x1c), ascii("ftypmif1"), bytes(0, 0, 0, 0), ascii("mif1avifmiaf")]), "avif"],
    ["BMP", Buffer.concat([ascii("BM"), Buffer.alloc(60)]), "bmp"],
  ])("recognises %s", (_l, buf, kind) => {
    expect(sniffImage(buf)).toEqual({ image: true, kind });
  });

  it.each([
    ["empty", Buffer.alloc(0), "an empty file"],
    ["text", ascii("hello world\nthis is a README\n"), "a text file"],
    ["PDF", ascii("%PDF-1.7\n"), "a PDF document"],
    ["HTML", ascii("<!DOCTYPE html><html>"), "an HTML page"],
    ["ZIP", bytes(0x50, 0x4b, 0x03, 0x04, 0, 0), "a ZIP archive"],
    ["MP4", Buffer.concat([bytes(0, 0, 0, 0x18), ascii("ftypisom")]), 'an ISO media file (brand "isom", e.g. a video)'],
    ["random binary", bytes(0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 1, 1), "an unrecognised binary file"],
  ])("says what a non-image is: %s", (_l, buf, what) => {
    expect(sniffImage(buf)).toEqual({ image: false, what });
  });
});
