// vlm-analyzer image preparation benchmark: what analyze_image / compare_images send vs. sending the originals.
// Inputs are desktop-like PNG screenshots drawn with sharp (tests/fixtures/images/generate.ts): 1920×1080,
// 3840×2160, and five different 3840×2160 frames for a compare_images call (prepared concurrently, as the server does).
// Reports prep time (median/p90 over runs after warm-up), bytes (raw and as base64 in the request), and Qwen3-VL image
// tokens; for originals the tokens are what vLLM's own preprocessor (max 16384 tokens/image) would spend.
// Targets: 4K prepared in ≤150 ms (median), ≤1300 tokens, ≤200 KB; five 4K images fit a 32K context.
// Results: bench/results/mcp.json. Exit 1 when a target is missed.
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { fitToTokenBudget, imageTokens } from "../mcp/image/budget.ts";
import { prepareImage } from "../mcp/image/prepare.ts";
import { screenshotPng } from "../tests/fixtures/images/generate.ts";

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const WARMUP = 3;
const BUDGET = 1280; // VLM_IMAGE_TOKENS default
const CONTEXT = 32_768; // the dev stack's --max-model-len for the vision endpoint
const VLLM_MAX_TOKENS_PER_IMAGE = 16_384; // Qwen3-VL preprocessor longest_edge 16777216 px
const PROMPT_OVERHEAD = 200; // chat template, "Image n:" labels and a short question, in tokens

const b64 = (n: number) => Math.ceil(n / 3) * 4;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { medianMs: round(q(0.5)), p90Ms: round(q(0.9)), minMs: round(s[0]!) };
};
const round = (x: number) => Math.round(x * 10) / 10;

async function time<T>(f: () => Promise<T>): Promise<{ ms: number[]; last: T }> {
  let last!: T;
  for (let i = 0; i < WARMUP; i++) last = await f();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    last = await f();
    ms.push(performance.now() - t);
  }
  return { ms, last };
}

async function single(name: string, width: number, height: number) {
  const original = await screenshotPng(width, height);
  const originalTokens = imageTokens(fitToTokenBudget({ width, height }, VLLM_MAX_TOKENS_PER_IMAGE));
  const { ms, last } = await time(() => prepareImage(original, { maxTokens: BUDGET }));
  return {
    case: name,
    original: { width, height, format: "png", bytes: original.length, requestBytes: b64(original.length), imageTokens: originalTokens },
    prepared: {
      width: last.width, height: last.height, mimeType: last.mimeType, bytes: last.data.length,
      requestBytes: b64(last.data.length), imageTokens: last.tokens, ...stats(ms),
    },
    reduction: { bytes: round(original.length / last.data.length), tokens: round(originalTokens / last.tokens) },
  };
}

async function compareFive() {
  const originals = await Promise.all([1, 2, 3, 4, 5].map((seed) => screenshotPng(3840, 2160, seed)));
  const originalTokens = 5 * imageTokens(fitToTokenBudget({ width: 3840, height: 2160 }, VLLM_MAX_TOKENS_PER_IMAGE));
  const originalBytes = originals.reduce((n, b) => n + b.length, 0);
  const { ms, last } = await time(() => Promise.all(originals.map((o) => prepareImage(o, { maxTokens: BUDGET }))));
  const bytes = last.reduce((n, p) => n + p.data.length, 0);
  const tokens = last.reduce((n, p) => n + p.tokens, 0);
  return {
    case: "compare_images, 5 × 3840×2160",
    original: {
      bytes: originalBytes, requestBytes: b64(originalBytes), imageTokens: originalTokens,
      fitsContext: originalTokens + PROMPT_OVERHEAD < CONTEXT,
    },
    prepared: {
      bytes, requestBytes: b64(bytes), imageTokens: tokens, maxImageBytes: Math.max(...last.map((p) => p.data.length)),
      fitsContext: tokens + PROMPT_OVERHEAD < CONTEXT, ...stats(ms),
    },
    reduction: { bytes: round(originalBytes / bytes), tokens: round(originalTokens / tokens) },
  };
}

const rows = [await single("screenshot 1920×1080", 1920, 1080), await single("screenshot 3840×2160", 3840, 2160), await compareFive()];
const k4 = rows[1]!.prepared;
const five = rows[2]!.prepared as { fitsContext: boolean; maxImageBytes: number };
const targets = {
  prep4kMedianMs: { value: k4.medianMs, target: 150, ok: k4.medianMs <= 150 },
  imageTokens4k: { value: k4.imageTokens, target: 1300, ok: k4.imageTokens <= 1300 },
  bytes4k: { value: k4.bytes, target: 200 * 1024, ok: k4.bytes <= 200 * 1024 },
  fiveImagesFit32k: { value: five.fitsContext, target: true, ok: five.fitsContext },
};
const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, availableParallelism: availableParallelism() },
  sharp: { version: sharp.versions.sharp, libvips: sharp.versions.vips, concurrency: sharp.concurrency() },
  runs: RUNS,
  warmup: WARMUP,
  imageTokenBudget: BUDGET,
  rows,
  targets,
};

mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(join(here, "results", "mcp.json"), JSON.stringify(result, null, 2) + "\n");

console.log(`sharp ${result.sharp.version} (libvips ${result.sharp.libvips}), concurrency ${result.sharp.concurrency}, ${RUNS} runs after ${WARMUP} warm-up`);
console.log("case                              | original: KB / tokens | prepared: WxH  type   KB / tokens | prep ms median (p90)");
for (const r of rows) {
  const o = r.original;
  const p = r.prepared as typeof r.prepared & { width?: number; height?: number; mimeType?: string };
  const dims = p.width ? `${p.width}x${p.height} ${p.mimeType?.slice(6)}` : "5 images        ";
  console.log(
    `${r.case.padEnd(34)}| ${(o.bytes / 1024).toFixed(0).padStart(6)} / ${String(o.imageTokens).padStart(6)}   | ` +
      `${dims.padEnd(19)} ${(p.bytes / 1024).toFixed(0).padStart(5)} / ${String(p.imageTokens).padStart(5)} | ${p.medianMs} (${p.p90Ms})`,
  );
}
for (const [k, t] of Object.entries(targets)) console.log(`${t.ok ? "ok  " : "MISS"} ${k}: ${t.value} (target ${t.target})`);
console.log(`results: ${join("bench", "results", "mcp.json")}`);
process.exit(Object.values(targets).every((t) => t.ok) ? 0 : 1);
