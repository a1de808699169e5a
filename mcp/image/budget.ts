// Qwen3-VL image geometry: ViT patch 16 merged 2×2, so one LLM token covers 32×32 px.
// `fitToTokenBudget` is qwen-vl-utils' smart_resize with factor 32: the size we send is exactly the size the
// vLLM preprocessor would pick, so the server does not resample the image a second time.

export const PIXELS_PER_TOKEN_SIDE = 32;
/** Qwen3-VL preprocessor `shortest_edge` (65 536 px = 64 tokens): smaller images are scaled up by vLLM anyway. */
export const MIN_TOKENS = 64;
/** smart_resize rejects aspect ratios above 200. */
export const MAX_ASPECT_RATIO = 200;

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** Python's round() (banker's rounding), which smart_resize uses. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Pure: the size (sides multiples of 32) an image of `size` is sent at, within `maxTokens` visual tokens.
 * Images below the processor's 64-token minimum are scaled up exactly as vLLM would: sending them smaller would
 * only make the endpoint resample them. Rounding up both sides can then pass a budget close to 64 (≤ 130 tokens).
 */
export function fitToTokenBudget(size: Size, maxTokens: number): Size {
  const { width, height } = size;
  if (width < 1 || height < 1) throw new Error(`image has no pixels (${width}×${height})`);
  const aspect = Math.max(width, height) / Math.min(width, height);
  if (aspect > MAX_ASPECT_RATIO) {
    throw new Error(`image aspect ratio ${aspect.toFixed(0)}:1 is above the model's limit of ${MAX_ASPECT_RATIO}:1`);
  }
  const f = PIXELS_PER_TOKEN_SIDE;
  const maxPixels = maxTokens * f * f;
  const minPixels = MIN_TOKENS * f * f;
  let h = Math.max(f, roundHalfEven(height / f) * f);
  let w = Math.max(f, roundHalfEven(width / f) * f);
  let from = { height, width };
  if (h * w > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    h = Math.max(f, Math.floor(height / beta / f) * f);
    w = Math.max(f, Math.floor(width / beta / f) * f);
    // A thin image squeezed under the minimum here would be scaled up again by vLLM: continue from this size.
    from = { height: h, width: w };
  }
  if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (from.height * from.width));
    h = Math.ceil((from.height * beta) / f) * f;
    w = Math.ceil((from.width * beta) / f) * f;
  }
  return { width: w, height: h };
}

/** Visual tokens the model spends on an image of this (already fitted) size. */
export function imageTokens(size: Size): number {
  return Math.ceil(size.width / PIXELS_PER_TOKEN_SIDE) * Math.ceil(size.height / PIXELS_PER_TOKEN_SIDE);
}
