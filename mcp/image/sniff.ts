// Image type from content (magic bytes), never from the file name: agents pass screenshots saved as .tmp,
// web images without extensions, and text files that happen to end in .png.

export type ImageKind = "png" | "jpeg" | "gif" | "webp" | "tiff" | "avif" | "heic" | "svg" | "bmp" | "jxl";

export type Sniffed = { readonly image: true; readonly kind: ImageKind } | { readonly image: false; readonly what: string };

const startsWith = (buf: Uint8Array, bytes: readonly number[], at = 0): boolean =>
  buf.length >= at + bytes.length && bytes.every((b, i) => buf[at + i] === b);
const ascii = (buf: Uint8Array, from: number, to: number): string =>
  String.fromCharCode(...buf.subarray(from, Math.min(to, buf.length)));

const HEIF_BRANDS: Record<string, ImageKind> = {
  avif: "avif",
  avis: "avif",
  heic: "heic",
  heix: "heic",
  hevc: "heic",
  hevx: "heic",
  heim: "heic",
  heis: "heic",
  mif1: "heic",
  msf1: "heic",
};

/** Pure: what the first bytes of a file say it is. */
export function sniffImage(buf: Uint8Array): Sniffed {
  if (buf.length === 0) return { image: false, what: "an empty file" };
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { image: true, kind: "png" };
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return { image: true, kind: "jpeg" };
  if (ascii(buf, 0, 6) === "GIF87a" || ascii(buf, 0, 6) === "GIF89a") return { image: true, kind: "gif" };
  if (ascii(buf, 0, 4) === "RIFF" && ascii(buf, 8, 12) === "WEBP") return { image: true, kind: "webp" };
  if (startsWith(buf, [0x49, 0x49, 0x2a, 0x00]) || startsWith(buf, [0x4d, 0x4d, 0x00, 0x2a])) {
    return { image: true, kind: "tiff" };
  }
  if (ascii(buf, 4, 8) === "ftyp") {
    // ISO-BMFF: the major brand says AVIF/HEIC; MP4 and friends are not images.
    const brand = ascii(buf, 8, 12);
    const kind = HEIF_BRANDS[brand];
    if (kind) {
      // mif1/msf1 are generic HEIF; a compatible brand "avif" means AVIF.
      const compat = ascii(buf, 16, 64);
      return { image: true, kind: kind === "heic" && compat.includes("avif") ? "avif" : kind };
    }
    return { image: false, what: `an ISO media file (brand "${brand.trim()}", e.g. a video)` };
  }
  if (startsWith(buf, [0xff, 0x0a]) || startsWith(buf, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) {
    return { image: true, kind: "jxl" };
  }
  if (ascii(buf, 0, 2) === "BM" && buf.length > 26) return { image: true, kind: "bmp" };
  if (ascii(buf, 0, 5) === "%PDF-") return { image: false, what: "a PDF document" };
  if (startsWith(buf, [0x50, 0x4b, 0x03, 0x04])) return { image: false, what: "a ZIP archive" };
  if (startsWith(buf, [0x1f, 0x8b])) return { image: false, what: "a gzip archive" };
  if (startsWith(buf, [0x7f, 0x45, 0x4c, 0x46])) return { image: false, what: "an executable (ELF)" };

  const head = new TextDecoder("utf-8", { fatal: false }).decode(buf.subarray(0, 4096)).replace(/^\uFEFF/, "");
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i.test(head)) {
    return { image: true, kind: "svg" };
  }
  if (/^\s*<(!doctype html|html)/i.test(head)) return { image: false, what: "an HTML page" };
  // Mostly printable text (no NULs, few control characters) → say so; people mix up paths often.
  const sample = buf.subarray(0, 512);
  const controls = sample.filter((b) => b < 9 || (b > 13 && b < 32)).length;
  if (controls === 0 || controls / sample.length < 0.02) return { image: false, what: "a text file" };
  return { image: false, what: "an unrecognised binary file" };
}

export const MIME: Record<"png" | "jpeg", string> = { png: "image/png", jpeg: "image/jpeg" };
