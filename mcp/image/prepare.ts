// Decode any image sharp can read and re-encode it at the Qwen3-VL token budget, small enough that five of them
// fit a 32K context and a proxy's body limit. Screenshots and text compress better as PNG, photos as JPEG: both are
// encoded from one decoded raster and the smaller one is sent.
import sharp, { type OutputInfo } from "sharp";
import { ToolError, messageOf } from "../errors.ts";
import { fitToTokenBudget, imageTokens, type Size } from "./budget.ts";
import { MIME, sniffImage, type ImageKind } from "./sniff.ts";

/** Per-image byte ceiling after encoding (≈ 270 KB as base64): keeps 5-image requests well under proxy limits. */
export const DEFAULT_MAX_BYTES = 200 * 1024;
/** Decompression-bomb guard: 16384² px, sharp's own default. */
const MAX_INPUT_PIXELS = 16384 * 16384;
const JPEG_QUALITIES = [85, 70, 55, 40] as const;

export interface PrepareOptions {
  readonly maxTokens: number;
  readonly maxBytes?: number;
}

export interface PreparedImage {
  readonly data: Buffer;
  readonly mimeType: "image/png" | "image/jpeg";
  readonly width: number;
  readonly height: number;
  readonly tokens: number;
  readonly original: { readonly format: ImageKind; readonly width: number; readonly height: number; readonly bytes: number };
}

/** What the sharp build on this machine can decode; HEVC-coded HEIC is usually missing from the prebuilt libvips. */
const UNSUPPORTED_HINT: Partial<Record<ImageKind, string>> = {
  heic: "HEIC images use the HEVC codec, which this sharp/libvips build cannot decode",
  bmp: "BMP is not supported by sharp/libvips",
  jxl: "JPEG XL is not supported by this sharp/libvips build",
};

export async function prepareImage(input: Buffer, opts: PrepareOptions, label = "image"): Promise<PreparedImage> {
  const sniffed = sniffImage(input);
  if (!sniffed.image) throw new ToolError(`${label} is not an image: it is ${sniffed.what}.`);
  const kind = sniffed.kind;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;

  let oriented: Size;
  try {
    oriented = (await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata()).autoOrient;
  } catch (err) {
    throw unreadable(label, kind, err);
  }
  let target: Size;
  try {
    target = fitToTokenBudget(oriented, opts.maxTokens);
  } catch (err) {
    throw new ToolError(`${label} cannot be sent: ${messageOf(err)}.`);
  }
  // SVGs rasterise at 72 dpi by default; render at the target size instead of scaling a small raster up.
  const density = kind === "svg" ? Math.min(2400, Math.max(1, (72 * target.width) / oriented.width)) : undefined;

  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, pages: 1, density, autoOrient: true })
      // Alpha is flattened on white, as qwen-vl-utils' to_rgb does before the model sees an image.
      .flatten({ background: "#ffffff" })
      .toColourspace("srgb")
      .resize(target.width, target.height, { fit: "fill" })
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw unreadable(label, kind, err);
  }

  const rawInput = { raw: { width: raw.info.width, height: raw.info.height, channels: raw.info.channels } };
  const [png, jpeg] = await Promise.all([
    sharp(raw.data, rawInput).png({ compressionLevel: 6, adaptiveFiltering: false }).toBuffer(),
    sharp(raw.data, rawInput).jpeg({ quality: JPEG_QUALITIES[0] }).toBuffer(),
  ]);
  let data = png.length <= jpeg.length ? png : jpeg;
  let mimeType = data === png ? MIME.png : MIME.jpeg;
  for (const quality of JPEG_QUALITIES.slice(1)) {
    if (data.length <= maxBytes) break;
    data = await sharp(raw.data, rawInput).jpeg({ quality }).toBuffer();
    mimeType = MIME.jpeg;
  }

  return {
    data,
    mimeType: mimeType as PreparedImage["mimeType"],
    width: target.width,
    height: target.height,
    tokens: imageTokens(target),
    original: { format: kind, width: oriented.width, height: oriented.height, bytes: input.length },
  };
}

function unreadable(label: string, kind: ImageKind, err: unknown): ToolError {
  const hint = UNSUPPORTED_HINT[kind];
  const detail = messageOf(err).split("\n")[0];
  return new ToolError(
    hint
      ? `${label} cannot be decoded: ${hint} (${detail}). Convert it to PNG or JPEG first.`
      : `${label} looks like ${kind.toUpperCase()} but cannot be decoded (${detail}); the file may be truncated or corrupt.`,
  );
}
