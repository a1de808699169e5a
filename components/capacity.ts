// The capacity check: does a model with a given context fit a GPU under vLLM's memory accounting?
// vLLM reserves gpu_memory_utilization × GPU memory, loads weights, profiles a forward pass (activations,
// CUDA graphs, the vision encoder) and gives the rest to the KV cache. It refuses to start when one sequence
// of max_model_len does not fit, and queues requests when max_num_seqs full-length sequences do not.
//
// The KV side is vLLM 0.33's own accounting (v1/core/kv_cache_planning.py, kv_cache_interface.py,
// platforms/interface.py _align_hybrid_block_size), checked against vLLM itself by tests/vllm/capacity.test.ts:
// layers are grouped into KV cache groups of equal size that share one block pool; a full-length sequence takes
// cdiv(max_model_len, block_size) blocks in every attention group and a fixed number of state copies in every
// Gated-DeltaNet group; one block is the pool's null block. Weights and overhead are estimates, not vLLM's.
import { MIB_PER_GIB, type GpuRequest, type GpuType } from "./gpus.ts";
import { BYTES_PER_MODEL_DTYPE, weightsGiB, type ModelArchitecture } from "./model-catalog.ts";

export type KvCacheDtype = "auto" | "fp8" | "fp8_e4m3" | "fp8_e5m2";

/**
 * Stated per-GPU overheads, GiB (estimates from vLLM start-up logs of 30B-class models at the default
 * max_num_batched_tokens): activation peak + non-torch memory, CUDA graph pool (0 with --enforce-eager),
 * and the vision encoder's profiling run for multimodal models.
 */
export const OVERHEAD_GIB = { activation: 1.5, cudaGraphs: 0.5, visionEncoder: 1.0 } as const;

/** vLLM 0.33's CacheConfig.gpu_memory_utilization default (config/cache.py). We pass our own explicitly. */
export const VLLM_DEFAULT_GPU_MEMORY_UTILIZATION = 0.92;

/**
 * vLLM 0.33's max_num_seqs default for the OpenAI server (EngineArgs.get_batch_defaults): 1024 on GPUs with
 * ≥ 160 GiB, and on ≥ 70 GiB parts other than the A100 (H100, H200, RTX PRO 6000); 256 everywhere else.
 */
export function vllmDefaultMaxNumSeqs(gpu: GpuType): number {
  const gib = gpu.memoryMiB / MIB_PER_GIB;
  if (gib >= 160) return 1024;
  if (gib >= 70 && !gpu.name.startsWith("A100")) return 1024;
  return 256;
}

/** vLLM's CacheConfig.DEFAULT_BLOCK_SIZE; FlashAttention, FlashInfer and Triton take multiples of 16 for these heads. */
const KERNEL_BLOCK = 16;
/** gdn_attn.FLASHINFER_GDN_CHECKPOINT_ALIGNMENT: prefill checkpoints land on 64-token boundaries */
const FLASHINFER_GDN_CHECKPOINT_ALIGNMENT = 64;
/**
 * GPUs where vLLM runs Gated-DeltaNet prefill on FlashInfer (qwen_gdn_linear_attn._resolve_gdn_prefill_backend:
 * SM90, and SM100 with key heads of 128 on the CUDA 13 runtime the PyPI wheel ships). There, with prefix caching,
 * each GDN layer exports mid-prefill checkpoints: blocks align to 64 tokens and one more state copy is kept.
 */
const GDN_FLASHINFER_PREFILL_GPUS: ReadonlySet<string> = new Set(["H100", "H200", "B200"]);

export interface KvLayoutOptions {
  readonly kvCacheDtype: KvCacheDtype;
  readonly maxModelLen: number;
  readonly tensorParallel: number;
  /** vLLM's default; off with --no-enable-prefix-caching */
  readonly prefixCaching: boolean;
  readonly gdnFlashinferPrefill: boolean;
}

/** How vLLM lays out one GPU's KV cache for this model (all byte counts per tensor-parallel rank). */
export interface KvLayout {
  /** full-attention layers only */
  readonly kvBytesPerToken: number;
  /** tokens per block: 16, or raised so one attention page holds a whole Gated-DeltaNet state */
  readonly blockSize: number;
  /** one layer's block */
  readonly pageBytes: number;
  /** layers per KV cache group = tensors in the shared block pool */
  readonly groupLayers: number;
  readonly attentionGroups: number;
  readonly linearGroups: number;
  readonly bytesPerBlock: number;
  readonly blocksPerSequence: number;
  readonly perSequenceBytes: number;
  readonly linearState?: {
    /** conv + recurrent state of one layer, in the model dtype */
    readonly bytesPerLayer: number;
    /** states vLLM keeps per sequence and layer: 2 with prefix caching ("align"), +1 with FlashInfer checkpoints, 1 without */
    readonly copies: number;
    readonly bytesPerSequence: number;
  };
}

const cdiv = (a: number, b: number) => Math.ceil(a / b);
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number) => (a / gcd(a, b)) * b;

export function kvLayout(arch: ModelArchitecture, o: KvLayoutOptions): KvLayout {
  const modelBytes = BYTES_PER_MODEL_DTYPE[arch.dtype ?? "bfloat16"];
  const kvBytes = o.kvCacheDtype === "auto" ? modelBytes : 1;
  // ModelConfig.get_num_kv_heads: split across ranks, replicated when fewer heads than ranks
  const kvHeads = Math.max(1, Math.floor(arch.kvHeads / o.tensorParallel));
  const attnPerToken = kvHeads * arch.headDim * 2 /* K and V */ * kvBytes;
  const la = arch.linearAttention;
  let blockSize = KERNEL_BLOCK;
  let linear: { bytesPerLayer: number; copies: number } | undefined;
  if (la) {
    // MambaStateShapeCalculator.gated_delta_net_state_shape; dtype: the model's ("auto" mamba cache dtypes)
    const convDim = (la.keyHeads * la.keyHeadDim * 2 + la.valueHeads * la.valueHeadDim) / o.tensorParallel;
    const state = convDim * (la.convKernel - 1) + (la.valueHeads / o.tensorParallel) * la.valueHeadDim * la.keyHeadDim;
    const bytesPerLayer = state * modelBytes;
    const checkpoints = o.prefixCaching && o.gdnFlashinferPrefill;
    // Platform._align_hybrid_block_size: the smallest aligned block whose attention page holds one state
    const align = checkpoints ? lcm(KERNEL_BLOCK, FLASHINFER_GDN_CHECKPOINT_ALIGNMENT) : KERNEL_BLOCK;
    blockSize = Math.max(KERNEL_BLOCK, align * cdiv(bytesPerLayer, align * attnPerToken));
    // MambaSpec.max_memory_usage_bytes: "align" keeps 2 (+1 prefill checkpoint), "none" keeps 1
    linear = { bytesPerLayer, copies: o.prefixCaching ? 2 + (checkpoints ? 1 : 0) : 1 };
  }
  const pageBytes = blockSize * attnPerToken;
  // _get_kv_cache_groups_uniform_page_size: group size is the smaller layer count (the larger if within 1.5×)
  const counts = la ? [arch.fullAttentionLayers, la.layers] : [arch.fullAttentionLayers];
  const min = Math.min(...counts);
  const max = Math.max(...counts);
  const groupLayers = max < min * 1.5 ? max : min;
  const attentionGroups = cdiv(arch.fullAttentionLayers, groupLayers);
  const linearGroups = la ? cdiv(la.layers, groupLayers) : 0;
  const bytesPerBlock = pageBytes * groupLayers;
  const blocksPerSequence = attentionGroups * cdiv(o.maxModelLen, blockSize) + linearGroups * (linear?.copies ?? 0);
  return {
    kvBytesPerToken: arch.fullAttentionLayers * attnPerToken,
    blockSize,
    pageBytes,
    groupLayers,
    attentionGroups,
    linearGroups,
    bytesPerBlock,
    blocksPerSequence,
    perSequenceBytes: blocksPerSequence * bytesPerBlock,
    ...(linear ? { linearState: { ...linear, bytesPerSequence: linearGroups * linear.copies * bytesPerBlock } } : {}),
  };
}

/** Full-length sequences that fit in a KV budget: whole blocks, minus the block pool's null block. */
export function sequencesThatFit(layout: KvLayout, kvBudgetBytes: number): number {
  const blocks = Math.floor(kvBudgetBytes / layout.bytesPerBlock);
  return Math.max(0, Math.floor((blocks - 1) / layout.blocksPerSequence));
}

export interface CapacityInput {
  readonly endpoint: string;
  readonly model: string;
  readonly arch: ModelArchitecture;
  readonly gpu: GpuRequest;
  readonly maxModelLen: number;
  readonly gpuMemoryUtilization: number;
  readonly kvCacheDtype: KvCacheDtype;
  readonly enforceEager: boolean;
  /** default true, as in vLLM */
  readonly prefixCaching?: boolean;
  /** concurrent sequences vLLM will schedule (min of --max-num-seqs and Modal's max_inputs) */
  readonly concurrency: number;
}

export interface CapacityPlan {
  /** totals over all GPUs */
  readonly budgetGiB: number;
  readonly weightsGiB: number;
  readonly overheadGiB: number;
  readonly kvBudgetGiB: number;
  /** whole model, full-attention layers */
  readonly kvBytesPerToken: number;
  /** whole model: one full-length sequence including block rounding and linear-attention state */
  readonly perSequenceGiB: number;
  readonly sequencesThatFit: number;
  readonly layout: KvLayout;
  /** vLLM would refuse to start */
  readonly error?: string;
  /** vLLM would start but queue requests */
  readonly warning?: string;
}

const gib = (n: number) => `${n.toFixed(1)} GiB`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

export function layoutOptions(input: Pick<CapacityInput, "gpu" | "kvCacheDtype" | "maxModelLen" | "prefixCaching">): KvLayoutOptions {
  return {
    kvCacheDtype: input.kvCacheDtype,
    maxModelLen: input.maxModelLen,
    tensorParallel: input.gpu.count,
    prefixCaching: input.prefixCaching ?? true,
    gdnFlashinferPrefill: GDN_FLASHINFER_PREFILL_GPUS.has(input.gpu.type.name),
  };
}

export function planCapacity(input: CapacityInput): CapacityPlan {
  const { arch, gpu } = input;
  const tp = gpu.count;
  const budget = (tp * gpu.type.memoryMiB * input.gpuMemoryUtilization) / MIB_PER_GIB;
  const weights = weightsGiB(arch);
  const overhead = tp * (OVERHEAD_GIB.activation + (input.enforceEager ? 0 : OVERHEAD_GIB.cudaGraphs) + (arch.vision ? OVERHEAD_GIB.visionEncoder : 0));
  const kvBudget = budget - weights - overhead;
  const layout = kvLayout(arch, layoutOptions(input));
  // every rank sizes its own cache; weights and KV heads split evenly (replicated KV heads cost each rank in full)
  const fit = sequencesThatFit(layout, Math.max(0, (kvBudget / tp) * 2 ** 30));
  const perSeq = (layout.perSequenceBytes * tp) / 2 ** 30;
  const kvPerToken = layout.kvBytesPerToken * tp;
  const where = `${input.endpoint}: ${input.model} on ${gpu.modal}`;
  const sums =
    `${tp > 1 ? `${tp} × ` : ""}${gib(gpu.type.memoryMiB / MIB_PER_GIB)} × ${input.gpuMemoryUtilization} = ${gib(budget)}` +
    ` − weights ${gib(weights)} − overhead ${gib(overhead)} = KV budget ${gib(kvBudget)}`;
  const ls = layout.linearState;
  const seqNeed =
    `one ${input.maxModelLen}-token sequence needs ${gib(perSeq)} (${kvPerToken / 1024} KiB/token, kv ${input.kvCacheDtype}, ${layout.blockSize}-token blocks` +
    `${ls ? `, + ${mib(ls.bytesPerSequence * tp)} linear-attention state (${ls.copies} copies)` : ""})`;
  const plan = { budgetGiB: budget, weightsGiB: weights, overheadGiB: overhead, kvBudgetGiB: kvBudget, kvBytesPerToken: kvPerToken, perSequenceGiB: perSeq, sequencesThatFit: fit, layout };
  if (weights + overhead >= budget) {
    return { ...plan, error: `${where} does not fit: its weights alone (${gib(weights)}) plus overhead (${gib(overhead)}) exceed the ${gib(budget)} vLLM may use (${sums}). Use a larger GPU or more of them.` };
  }
  if (fit < 1) {
    const maxLen = largestFittingLen(arch, input, (kvBudget / tp) * 2 ** 30);
    return { ...plan, error: `${where} cannot hold one sequence of maxModelLen ${input.maxModelLen}: ${sums}, but ${seqNeed}. vLLM would refuse to start. Use a larger GPU, kvCacheDtype fp8, or maxModelLen ≤ ${maxLen}.` };
  }
  if (fit < input.concurrency) {
    return { ...plan, warning: `${where}: ${input.concurrency} concurrent full-length sequences need ${gib(perSeq * input.concurrency)} but the KV budget is ${gib(kvBudget)} (${sums}); ${seqNeed}. vLLM will run ${fit} at full length and queue the rest.` };
  }
  return plan;
}

/** The largest max_model_len with one sequence fitting the per-rank KV budget (vLLM's estimate_max_model_len, by bisection). */
function largestFittingLen(arch: ModelArchitecture, input: CapacityInput, rankBudgetBytes: number): number {
  const fits = (len: number) => sequencesThatFit(kvLayout(arch, layoutOptions({ ...input, maxModelLen: len })), rankBudgetBytes) >= 1;
  let lo = 0;
  let hi = input.maxModelLen;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
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
