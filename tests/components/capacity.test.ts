import { kvLayout, layoutOptions, planCapacity, sequencesThatFit, tradeOffTable, vllmDefaultMaxNumSeqs, OVERHEAD_GIB } from "../../components/capacity.ts";
import { parseGpu } from "../../components/gpus.ts";
import { configJson, MODEL_CATALOG, weightsGiB } from "../../components/model-catalog.ts";

const CODER = "unsloth/Qwen3-Coder-Next-FP8-Dynamic";
const VLM = "Qwen/Qwen3-VL-32B-Thinking-FP8";
const SERA = "allenai/SERA-32B";
const base = (model: string, gpu: string, maxModelLen: number, extra: object = {}) => ({
  endpoint: "e",
  model,
  arch: MODEL_CATALOG[model],
  gpu: parseGpu(gpu),
  maxModelLen,
  gpuMemoryUtilization: 0.9,
  kvCacheDtype: "fp8" as const,
  enforceEager: false,
  concurrency: 1,
  ...extra,
});

const layout = (model: string, gpu: string, maxModelLen: number, kvCacheDtype: "auto" | "fp8" | "fp8_e5m2", prefixCaching = true) =>
  kvLayout(MODEL_CATALOG[model], layoutOptions({ gpu: parseGpu(gpu), maxModelLen, kvCacheDtype, prefixCaching }));

// tests/vllm/capacity.test.ts checks these against vLLM's own code; here they are worked by hand.
describe("KV bytes per token, from the architecture", () => {
  it.each([
    // 64 layers × 8 KV heads × 128 head_dim × 2 (K and V) × 1 byte = 128 KiB
    [VLM, "fp8", 128 * 1024],
    [VLM, "auto", 256 * 1024],
    [SERA, "auto", 256 * 1024],
    // Qwen3-Next: only 12 of 48 layers keep KV: 12 × 2 × 256 × 2 × 1 = 12 KiB
    [CODER, "fp8", 12 * 1024],
    [CODER, "fp8_e5m2", 12 * 1024],
    [CODER, "auto", 24 * 1024],
  ] as const)("%s with kv %s → %d bytes", (model, dtype, bytes) => {
    expect(layout(model, "H200", 32768, dtype).kvBytesPerToken).toBe(bytes);
  });
});

describe("vLLM's block layout", () => {
  // one Gated-DeltaNet layer: conv (16·128·2 + 32·128) × 3 + recurrent 32 × 128 × 128, bf16 = 1 097 728 bytes
  const GDN_STATE = ((16 * 128 * 2 + 32 * 128) * 3 + 32 * 128 * 128) * 2;

  it("keeps a dense model's 16-token blocks, one group of all 64 layers", () => {
    const l = layout(SERA, "H100", 32768, "auto");
    expect([l.blockSize, l.groupLayers, l.attentionGroups, l.linearGroups]).toEqual([16, 64, 1, 0]);
    expect(l.blocksPerSequence).toBe(32768 / 16);
    expect(l.perSequenceBytes).toBe(32768 * 256 * 1024);
  });

  it("aligns Qwen3-Next's blocks to hold one bf16 state per page: 1088 tokens with FlashInfer checkpoints (Hopper)", () => {
    const l = layout(CODER, "H200", 131072, "fp8");
    expect(l.linearState?.bytesPerLayer).toBe(GDN_STATE);
    // 64 × ceil(1 097 728 / (64 × 1024)) = 64 × 17
    expect(l.blockSize).toBe(1088);
    expect([l.groupLayers, l.attentionGroups, l.linearGroups]).toEqual([12, 1, 3]);
    expect(l.linearState?.copies).toBe(3);
    // 121 attention blocks + 3 GDN groups × 3 copies, each block 12 layers × 1088 × 1 KiB
    expect(l.blocksPerSequence).toBe(Math.ceil(131072 / 1088) + 9);
    expect(l.linearState!.bytesPerSequence / 2 ** 20).toBeCloseTo(114.75, 2);
  });

  it("uses 1072-token blocks and two state copies where GDN prefill runs on Triton (A100)", () => {
    const l = layout(CODER, "A100-80GB", 131072, "fp8");
    expect(l.blockSize).toBe(16 * Math.ceil(GDN_STATE / (16 * 1024)));
    expect(l.linearState?.copies).toBe(2);
  });

  it("keeps one state copy with prefix caching off", () => {
    expect(layout(CODER, "H200", 131072, "fp8", false).linearState?.copies).toBe(1);
  });

  it("counts whole blocks and holds back the pool's null block", () => {
    const l = layout(SERA, "H100", 32768, "auto");
    expect(sequencesThatFit(l, (l.blocksPerSequence + 1) * l.bytesPerBlock)).toBe(1);
    expect(sequencesThatFit(l, (l.blocksPerSequence + 1) * l.bytesPerBlock - 1)).toBe(0);
    expect(sequencesThatFit(l, 0)).toBe(0);
  });
});

describe("vLLM 0.33's max_num_seqs default", () => {
  it.each([
    ["H100", 1024],
    ["H200", 1024],
    ["B200", 1024],
    ["RTX-PRO-6000", 1024],
    ["A100-80GB", 256],
    ["A100-40GB", 256],
    ["L40S", 256],
  ])("%s → %d", (gpu, n) => {
    expect(vllmDefaultMaxNumSeqs(parseGpu(gpu).type)).toBe(n);
  });
});

describe("configJson", () => {
  it("writes Qwen3-Next's layer pattern and GDN heads in Hugging Face's keys", () => {
    const c = configJson(MODEL_CATALOG[CODER]);
    expect(c).toMatchObject({ architectures: ["Qwen3NextForCausalLM"], num_hidden_layers: 48, full_attention_interval: 4, num_key_value_heads: 2, head_dim: 256, linear_num_value_heads: 32, torch_dtype: "bfloat16" });
  });
  it("nests a VL model's language model under text_config", () => {
    const c = configJson(MODEL_CATALOG[VLM]) as { text_config: Record<string, unknown>; vision_config: unknown };
    expect(c.text_config).toMatchObject({ model_type: "qwen3_vl_text", num_hidden_layers: 64, num_key_value_heads: 8, head_dim: 128 });
    expect(c.vision_config).toBeDefined();
  });
});

describe("weights from parameters by dtype", () => {
  it("puts a 32B FP8 model near 33 GiB, not the seed's 17", () => {
    expect(weightsGiB(MODEL_CATALOG[VLM])).toBeCloseTo(33.08, 1); // (31.2e9 + 2.16e9 × 2) / 2^30
  });
  it("puts SERA-32B BF16 at ~61 GiB and Qwen3-Coder-Next FP8 at ~75 GiB", () => {
    expect(weightsGiB(MODEL_CATALOG[SERA])).toBeCloseTo(61.09, 1);
    expect(weightsGiB(MODEL_CATALOG[CODER])).toBeCloseTo(75.10, 1);
  });
});

describe("planCapacity", () => {
  it("computes the H200 budget for the coder by hand", () => {
    const p = planCapacity(base(CODER, "H200", 131072));
    const budget = (143771 * 0.9) / 1024; // 126.36 GiB
    expect(p.budgetGiB).toBeCloseTo(budget, 6);
    expect(p.overheadGiB).toBeCloseTo(OVERHEAD_GIB.activation + OVERHEAD_GIB.cudaGraphs, 6);
    expect(p.kvBudgetGiB).toBeCloseTo(budget - 75.1 - 2.0, 1);
    // 121 blocks of 1088 tokens × 12 KiB + 114.75 MiB DeltaNet state (3 bf16 copies), in 12.75 MiB blocks
    expect(p.perSequenceGiB).toBeCloseTo((130 * 12.75) / 1024, 6);
    expect(p.sequencesThatFit).toBe(Math.floor((Math.floor((p.kvBudgetGiB * 1024) / 12.75) - 1) / 130));
    expect(p.sequencesThatFit).toBe(30);
    expect(p.error).toBeUndefined();
  });

  it("refuses the coder on an A100-40GB: its weights alone do not fit", () => {
    const p = planCapacity({ ...base(CODER, "A100-40GB", 131072), endpoint: "coder" });
    expect(p.error).toMatch(/^coder: unsloth\/Qwen3-Coder-Next-FP8-Dynamic on A100-40GB:1 does not fit: its weights alone \(75\.1 GiB\)/);
    expect(p.error).toContain("40.0 GiB × 0.9 = 36.0 GiB");
  });

  it("refuses the VLM on an A100-40GB: not one 32K sequence fits", () => {
    const p = planCapacity({ ...base(VLM, "A100-40GB", 32768), endpoint: "vlm" });
    expect(p.error).toContain("vlm: Qwen/Qwen3-VL-32B-Thinking-FP8 on A100-40GB:1");
    expect(p.error).toMatch(/weights 33\.1 GiB/);
    expect(p.sequencesThatFit).toBe(0);
  });

  it("fits eight 32K VLM sequences on an A100-80GB with fp8 KV", () => {
    const p = planCapacity({ ...base(VLM, "A100-80GB", 32768), concurrency: 8 });
    expect(p.perSequenceGiB).toBe(4); // 32768 × 128 KiB
    expect(p.kvBudgetGiB).toBeCloseTo(72 - 33.08 - 3.0, 1);
    expect(p.sequencesThatFit).toBe(8);
    expect(p.error).toBeUndefined();
    expect(p.warning).toBeUndefined();
  });

  it("warns (vLLM queues) when max concurrent full-length sequences exceed the KV budget", () => {
    const p = planCapacity({ ...base(VLM, "A100-80GB", 32768), concurrency: 16, endpoint: "vlm" });
    expect(p.error).toBeUndefined();
    expect(p.warning).toContain("16 concurrent full-length sequences need 64.0 GiB");
    expect(p.warning).toContain("vLLM will run 8 at full length and queue the rest");
  });

  it("splits memory across a tensor-parallel GPU count", () => {
    const one = planCapacity(base(SERA, "H100:1", 32768, { kvCacheDtype: "auto" }));
    const two = planCapacity(base(SERA, "H100:2", 32768, { kvCacheDtype: "auto" }));
    expect(two.budgetGiB).toBeCloseTo(one.budgetGiB * 2, 6);
    expect(two.sequencesThatFit).toBeGreaterThan(one.sequencesThatFit);
  });

  it("names the largest context that would fit when one sequence does not", () => {
    const p = planCapacity(base(SERA, "H100", 65536, { kvCacheDtype: "auto" }));
    expect(p.error).toMatch(/maxModelLen ≤ \d+/);
    const max = Number(/maxModelLen ≤ (\d+)/.exec(p.error!)![1]);
    expect(planCapacity(base(SERA, "H100", max, { kvCacheDtype: "auto" })).error).toBeUndefined();
    expect(planCapacity(base(SERA, "H100", max + 256, { kvCacheDtype: "auto" })).error).toBeDefined();
  });
});

describe("tradeOffTable", () => {
  it("gives the coder's H200 table for 64K / 128K / 256K", () => {
    const rows = tradeOffTable(base(CODER, "H200", 0));
    expect(rows.map((r) => r.context)).toEqual([65536, 131072, 262144]);
    // (ceil(context / 1088) + 9) blocks × 12.75 MiB
    expect(rows.map((r) => +r.perSequenceGiB.toFixed(3))).toEqual([0.872, 1.619, 3.113]);
    expect(rows.every((r) => r.fits)).toBe(true);
    expect(rows[0].sequencesThatFit).toBeGreaterThan(rows[1].sequencesThatFit);
    expect(rows[1].sequencesThatFit).toBeGreaterThan(rows[2].sequencesThatFit);
  });
});
