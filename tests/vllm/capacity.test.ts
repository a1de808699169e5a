// The capacity planner against vLLM 0.33's own KV-cache accounting: each catalog model's config.json is written
// from the catalog, vLLM builds its KV-cache spec from it (kv_cache_probe.py) and sizes the cache for the KV budget
// the planner computed. Weights and overheads are the planner's estimates and are not judged here.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { kvLayout, layoutOptions, planCapacity, sequencesThatFit, type CapacityInput, type KvCacheDtype, type KvLayout } from "../../components/capacity.ts";
import { parseGpu } from "../../components/gpus.ts";
import { configJson, MODEL_CATALOG } from "../../components/model-catalog.ts";
import { describeVllm, runVllmPython } from "../support/vllm.ts";

const PROBE = fileURLToPath(new URL("./kv_cache_probe.py", import.meta.url));
const CODER = "unsloth/Qwen3-Coder-Next-FP8-Dynamic";
const VLM = "Qwen/Qwen3-VL-32B-Thinking-FP8";
const SERA = "allenai/SERA-32B";

interface Probe {
  attentionLayers: number;
  linearLayers: number;
  kvHeadsPerRank: number;
  headSize: number;
  modelDtype: string;
  kvBytesPerToken: number;
  blockSize: number;
  mambaCacheMode: string;
  pageBytes: number;
  groups: number[];
  bytesPerBlock: number;
  blocksPerSequence: number;
  perSequenceBytes: number;
  linearStateDtypes?: string[];
  linearStateBytesPerLayer?: number;
  linearStateCopies?: number;
  linearStateBytesPerSequence?: number;
  numBlocks?: number;
  maxConcurrency?: number;
  error?: string;
}

interface Case {
  readonly name: string;
  readonly input: CapacityInput;
  /** KV memory handed to vLLM per rank; default: the planner's KV budget */
  readonly availableBytes?: (layout: KvLayout) => number;
}

const input = (model: string, gpu: string, maxModelLen: number, kvCacheDtype: KvCacheDtype, extra: Partial<CapacityInput> = {}): CapacityInput => ({
  endpoint: "e", model, arch: MODEL_CATALOG[model], gpu: parseGpu(gpu), maxModelLen, gpuMemoryUtilization: 0.9, kvCacheDtype, enforceEager: false, concurrency: 1, ...extra,
});

const CASES: Case[] = [
  { name: "coder, H200, 128K, fp8 KV (the dev stack)", input: input(CODER, "H200", 131072, "fp8") },
  { name: "coder, H200, 256K, fp8 KV", input: input(CODER, "H200", 262144, "fp8") },
  { name: "coder, H200, 64K, bf16 KV", input: input(CODER, "H200", 65536, "auto") },
  { name: "coder, H200, 128K, prefix caching off", input: input(CODER, "H200", 131072, "fp8", { prefixCaching: false }) },
  // Triton GDN prefill (no FlashInfer checkpoints) where the coder would not fit: a bigger budget by hand
  { name: "coder, A100-80GB layout, 128K", input: input(CODER, "A100-80GB", 131072, "fp8"), availableBytes: () => 40 * 2 ** 30 },
  { name: "VLM, A100-80GB, 32K, fp8 KV (the dev stack)", input: input(VLM, "A100-80GB", 32768, "fp8") },
  { name: "VLM, H100, 32K, bf16 KV", input: input(VLM, "H100", 32768, "auto") },
  { name: "SERA, H100, 32K, bf16 KV (the dev stack)", input: input(SERA, "H100", 32768, "auto") },
  // the start-up check at its edge: exactly one sequence plus the null block, and one byte less
  { name: "coder, one sequence exactly", input: input(CODER, "H200", 131072, "fp8"), availableBytes: (l) => (l.blocksPerSequence + 1) * l.bytesPerBlock },
  { name: "coder, one byte short of one sequence", input: input(CODER, "H200", 131072, "fp8"), availableBytes: (l) => (l.blocksPerSequence + 1) * l.bytesPerBlock - 1 },
  { name: "SERA, one byte short of one sequence", input: input(SERA, "H100", 32768, "auto"), availableBytes: (l) => (l.blocksPerSequence + 1) * l.bytesPerBlock - 1 },
];

const within1pct = (ours: number, vllm: number) => expect(Math.abs(ours - vllm) / vllm).toBeLessThanOrEqual(0.01);

describeVllm("capacity planner vs vLLM's own KV-cache accounting", () => {
  let dir: string;
  const results = new Map<string, Probe>();
  const planned = new Map<string, { layout: KvLayout; available: number }>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "cas-capacity-"));
    for (const model of Object.keys(MODEL_CATALOG)) {
      mkdirSync(join(dir, model), { recursive: true });
      writeFileSync(join(dir, model, "config.json"), JSON.stringify(configJson(MODEL_CATALOG[model]), null, 2));
    }
    const payload = CASES.map((c) => {
      const layout = kvLayout(c.input.arch, layoutOptions(c.input));
      const plan = planCapacity(c.input);
      const available = c.availableBytes ? c.availableBytes(layout) : Math.floor(plan.kvBudgetGiB * 2 ** 30);
      planned.set(c.name, { layout, available });
      const o = layoutOptions(c.input);
      return { dir: join(dir, c.input.model), maxModelLen: o.maxModelLen, kvCacheDtype: o.kvCacheDtype, tensorParallel: o.tensorParallel, prefixCaching: o.prefixCaching, gdnFlashinferPrefill: o.gdnFlashinferPrefill, availableBytes: available };
    });
    const stdout = await runVllmPython([PROBE], { input: JSON.stringify(payload), cwd: dir });
    // vLLM logs to stdout too; the probe's answer is its last line
    const answer = JSON.parse(stdout.trim().split("\n").at(-1)!) as Probe[];
    CASES.forEach((c, i) => results.set(c.name, answer[i]));
  }, 600_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe.each(CASES.map((c) => [c.name, c] as const))("%s", (name, c) => {
    it("reads the catalog's architecture back from the written config.json", () => {
      const v = results.get(name)!;
      const arch = c.input.arch;
      expect([v.attentionLayers, v.linearLayers, v.kvHeadsPerRank, v.headSize]).toEqual([arch.fullAttentionLayers, arch.linearAttention?.layers ?? 0, arch.kvHeads, arch.headDim]);
      expect(v.modelDtype).toBe(arch.dtype ?? "bfloat16");
    });

    it("has vLLM's KV bytes per token, block size, block pool and per-sequence memory", () => {
      const v = results.get(name)!;
      const { layout } = planned.get(name)!;
      within1pct(layout.kvBytesPerToken, v.kvBytesPerToken);
      expect(layout.blockSize).toBe(v.blockSize);
      expect(Array(layout.attentionGroups + layout.linearGroups).fill(layout.groupLayers)).toEqual(v.groups);
      within1pct(layout.bytesPerBlock, v.bytesPerBlock);
      expect(layout.blocksPerSequence).toBe(v.blocksPerSequence);
      within1pct(layout.perSequenceBytes, v.perSequenceBytes);
    });

    it("keeps vLLM's Gated-DeltaNet state: model dtype, state copies, bytes per sequence", () => {
      const v = results.get(name)!;
      const { layout } = planned.get(name)!;
      if (!c.input.arch.linearAttention) {
        expect(v.linearStateCopies).toBeUndefined();
        expect(layout.linearState).toBeUndefined();
        return;
      }
      expect(v.linearStateDtypes).toEqual([c.input.arch.dtype ?? "bfloat16", c.input.arch.dtype ?? "bfloat16"]);
      within1pct(layout.linearState!.bytesPerLayer, v.linearStateBytesPerLayer!);
      expect(layout.linearState!.copies).toBe(v.linearStateCopies);
      within1pct(layout.linearState!.bytesPerSequence, v.linearStateBytesPerSequence!);
    });

    it("fits as many full-length sequences as vLLM's block pool, and refuses to start exactly when vLLM does", () => {
      const v = results.get(name)!;
      const { layout, available } = planned.get(name)!;
      const ours = sequencesThatFit(layout, available);
      if (v.error) {
        expect(ours).toBe(0);
        expect(v.error).toContain(`To serve at least one request with the model's max seq len (${c.input.maxModelLen})`);
        return;
      }
      expect(ours).toBeGreaterThanOrEqual(1);
      // usable blocks: vLLM's pool minus its null block
      expect(ours).toBe(Math.floor((v.numBlocks! - 1) / v.blocksPerSequence));
      expect(Math.floor(v.maxConcurrency!)).toBeGreaterThanOrEqual(ours);
    });
  });

  it("pins the numbers issue 9 names: ~115 MiB of Qwen3-Next state, 1088-token blocks, 30 full 128K sequences on an H200", () => {
    const v = results.get("coder, H200, 128K, fp8 KV (the dev stack)")!;
    expect(v.blockSize).toBe(1088);
    expect(v.linearStateCopies).toBe(3);
    expect(Math.round(v.linearStateBytesPerSequence! / 2 ** 20)).toBe(115);
    expect(planCapacity(input(CODER, "H200", 131072, "fp8")).sequencesThatFit).toBe(30);
  });
});
