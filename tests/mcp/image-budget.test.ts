import fc from "fast-check";
import { fitToTokenBudget, imageTokens } from "../../mcp/image/budget.ts";
import { qwenSmartResize } from "../support/vlm-stub.ts";

describe("fitToTokenBudget (Qwen3-VL smart_resize, factor 32)", () => {
  // Values from ../shared/reference/mcp-vision.md §5 (computed with qwen-vl-utils' algorithm).
  it.each([
    [1280, 800, 1280, 1280, 800, 1000],
    [1920, 1080, 1280, 1504, 832, 1222],
    [2560, 1440, 1280, 1504, 832, 1222],
    [3840, 2160, 1280, 1504, 832, 1222],
    [1920, 1080, 16384, 1920, 1088, 2040],
    [3840, 2160, 16384, 3840, 2176, 8160],
    [10, 10, 1280, 256, 256, 64], // scaled up to the 64-token minimum
  ])("%i×%i at %i tokens → %i×%i (%i tokens)", (w, h, budget, ew, eh, tokens) => {
    const out = fitToTokenBudget({ width: w, height: h }, budget);
    expect(out).toEqual({ width: ew, height: eh });
    expect(imageTokens(out)).toBe(tokens);
  });

  it("scales tiny images up exactly as vLLM does, even past a 64-token budget", () => {
    const out = fitToTokenBudget({ width: 1, height: 5 }, 64);
    expect(out).toEqual(qwenSmartResize(1, 5));
    expect(imageTokens(out)).toBe(72); // smart_resize rounds both sides up
  });

  it("always yields 32-px multiples within the budget, close to the aspect ratio, and a fixed point of vLLM's resize", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8000 }),
        fc.integer({ min: 1, max: 8000 }),
        fc.integer({ min: 64, max: 4096 }),
        (w, h, budget) => {
          fc.pre(Math.max(w, h) / Math.min(w, h) <= 50);
          const out = fitToTokenBudget({ width: w, height: h }, budget);
          expect(out.width % 32).toBe(0);
          expect(out.height % 32).toBe(0);
          // Over budget only where vLLM's 64-token minimum forces an upscale, which rounds both sides up.
          expect(imageTokens(out)).toBeLessThanOrEqual(Math.max(budget, 130));
          // The endpoint (max 16384 tokens) would not resize what we send.
          expect(qwenSmartResize(out.width, out.height)).toEqual(out);
          const ratio = out.width / out.height / (w / h);
          expect(ratio).toBeGreaterThan(0.5);
          expect(ratio).toBeLessThan(2);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("rejects aspect ratios the model refuses", () => {
    expect(() => fitToTokenBudget({ width: 30000, height: 100 }, 1280)).toThrow(/aspect ratio 300:1 is above the model's limit of 200:1/);
  });
});
