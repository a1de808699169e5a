// The capacity check: does a model with a given context fit a GPU under vLLM's memory accounting?
// vLLM reserves gpu_memory_utilization × GPU memory, loads weights, profiles a forward pass (activations,
// CUDA graphs, the vision encoder) and gives the rest to the KV cache. It refuses to start when one sequence
// of max_model_len does not fit, and queues requests when max_num_seqs full-length sequences do not.
import { MIB_PER_GIB, type GpuRequest } from "./gpus.ts";
import { weightsGiB, type ModelArchitecture } from "./model-catalog.ts";

export type KvCacheDtype = "auto" | "fp8" | "fp8_e4m3" | "fp8_e5m2";

/**
 * Stated per-GPU overheads, GiB (estimates from vLLM start-up logs of 30B-class models at the default
 * max_num_batched_tokens): activation peak + non-torch memory, CUDA graph pool (0 with --enforce-eager),
 * and the vision encoder's profiling run for multimodal models.
 */
export const OVERHEAD_GIB = { activation: 1.5, cudaGraphs: 0.5, visionEncoder: 1.0 } as const;

/** vLLM's default max_num_seqs (V1 engine, OpenAI server) */
export const VLLM_DEFAULT_MAX_NUM_SEQS = 256;

export interface CapacityInput {
  readonly endpoint: string;
  readonly model: string;
  readonly arch: ModelArchitecture;
  readonly gpu: GpuRequest;
  readonly maxModelLen: number;
  readonly gpuMemoryUtilization: number;
  readonly kvCacheDtype: KvCacheDtype;
  readonly enforceEager: boolean;
  /** concurrent sequences vLLM will schedule (min of --max-num-seqs and Modal's max_inputs) */
  readonly concurrency: number;
}

export interface CapacityPlan {
  readonly budgetGiB: number;
  readonly weightsGiB: number;
  readonly overheadGiB: number;
  readonly kvBudgetGiB: number;
  readonly kvBytesPerToken: number;
  readonly perSequenceGiB: number;
  readonly sequencesThatFit: number;
  /** vLLM would refuse to start */
  readonly error?: string;
  /** vLLM would start but queue requests */
  readonly warning?: string;
}

export function kvBytesPerToken(arch: ModelArchitecture, dtype: KvCacheDtype): number {
  // "auto" keeps the model's activation dtype (BF16) even for FP8 checkpoints
  const bytes = dtype === "auto" ? 2 : 1;
  return arch.fullAttentionLayers * arch.kvHeads * arch.headDim * 2 /* K and V */ * bytes;
}

export function perSequenceGiB(arch: ModelArchitecture, dtype: KvCacheDtype, tokens: number): number {
  return (tokens * kvBytesPerToken(arch, dtype)) / 2 ** 30 + (arch.linearStateMiBPerSeq ?? 0) / MIB_PER_GIB;
}

const gib = (n: number) => `${n.toFixed(1)} GiB`;

export function planCapacity(input: CapacityInput): CapacityPlan {
  const { arch, gpu } = input;
  const budget = (gpu.count * gpu.type.memoryMiB * input.gpuMemoryUtilization) / MIB_PER_GIB;
  const weights = weightsGiB(arch);
  const overhead =
    gpu.count *
    (OVERHEAD_GIB.activation + (input.enforceEager ? 0 : OVERHEAD_GIB.cudaGraphs) + (arch.vision ? OVERHEAD_GIB.visionEncoder : 0));
  const kvBudget = budget - weights - overhead;
  const perSeq = perSequenceGiB(arch, input.kvCacheDtype, input.maxModelLen);
  const fit = Math.max(0, Math.floor(kvBudget / perSeq));
  const kib = kvBytesPerToken(arch, input.kvCacheDtype) / 1024;
  const where = `${input.endpoint}: ${input.model} on ${gpu.modal}`;
  const sums =
    `${gpu.count > 1 ? `${gpu.count} × ` : ""}${gib(gpu.type.memoryMiB / MIB_PER_GIB)} × ${input.gpuMemoryUtilization} = ${gib(budget)}` +
    ` − weights ${gib(weights)} − overhead ${gib(overhead)} = KV budget ${gib(kvBudget)}`;
  const seqNeed =
    `one ${input.maxModelLen}-token sequence needs ${gib(perSeq)} (${kib} KiB/token, kv ${input.kvCacheDtype}` +
    `${arch.linearStateMiBPerSeq ? ` + ${arch.linearStateMiBPerSeq.toFixed(0)} MiB linear-attention state` : ""})`;
  const plan = { budgetGiB: budget, weightsGiB: weights, overheadGiB: overhead, kvBudgetGiB: kvBudget, kvBytesPerToken: kvBytesPerToken(arch, input.kvCacheDtype), perSequenceGiB: perSeq, sequencesThatFit: fit };
  if (weights + overhead >= budget) {
    return { ...plan, error: `${where} does not fit: its weights alone (${gib(weights)}) plus overhead (${gib(overhead)}) exceed the ${gib(budget)} vLLM may use (${sums}). Use a larger GPU or more of them.` };
  }
  if (fit < 1) {
    const maxLen = Math.floor(((kvBudget - (arch.linearStateMiBPerSeq ?? 0) / MIB_PER_GIB) * 2 ** 30) / kvBytesPerToken(arch, input.kvCacheDtype));
    return { ...plan, error: `${where} cannot hold one sequence of maxModelLen ${input.maxModelLen}: ${sums}, but ${seqNeed}. vLLM would refuse to start. Use a larger GPU, kvCacheDtype fp8, or maxModelLen ≤ ${Math.max(0, maxLen)}.` };
  }
  if (fit < input.concurrency) {
    return { ...plan, warning: `${where}: ${input.concurrency} concurrent full-length sequences need ${gib(perSeq * input.concurrency)} but the KV budget is ${gib(kvBudget)} (${sums}); ${seqNeed}. vLLM will run ${fit} at full length and queue the rest.` };
  }
  return plan;
}

export interface TradeOffRow {
  readonly context: number;
  readonly perSequenceGiB: number;
  readonly sequencesThatFit: number;
  readonly fits: boolean;
}

/** The seed's trade-off table, computed: context → GiB per full-length sequence → how many fit. */
export function tradeOffTable(input: Omit<CapacityInput, "maxModelLen">, contexts = [65536, 131072, 262144]): TradeOffRow[] {
  return contexts.map((context) => {
    const p = planCapacity({ ...input, maxModelLen: context });
    return { context, perSequenceGiB: p.perSequenceGiB, sequencesThatFit: p.sequencesThatFit, fits: !p.error };
  });
}
