// Architecture facts for the capacity check. Sources (secondary where the exact config.json was unreachable):
// ../shared/reference/pulumi-modal-vllm.md §7 — Qwen3-Next (48 layers = 12 × [3 Gated-DeltaNet + 1 full attention],
// 2 KV heads × 256), Qwen3-32B text stack (64 layers, 8 KV heads × 128) shared by Qwen3-VL-32B and SERA-32B.
// Weights are counted from parameters by storage dtype, not typed as GiB: an FP8 checkpoint stores its linear
// layers at 1 byte/param but keeps embeddings, lm_head (and here the vision tower) in BF16.

export type WeightDtype = "fp8" | "bf16" | "fp32" | "int4";
export const BYTES_PER_PARAM: Readonly<Record<WeightDtype, number>> = { fp8: 1, bf16: 2, fp32: 4, int4: 0.5 };

export interface ModelArchitecture {
  /** billions of parameters per storage dtype */
  readonly paramsBillions: Readonly<Partial<Record<WeightDtype, number>>>;
  /** layers that keep a KV cache (full attention); linear-attention layers do not */
  readonly fullAttentionLayers: number;
  readonly kvHeads: number;
  readonly headDim: number;
  /** constant per-sequence recurrent state of linear-attention layers (Gated DeltaNet), MiB */
  readonly linearStateMiBPerSeq?: number;
  /** a vision tower: vLLM profiles the encoder at start-up, which costs activation memory */
  readonly vision?: boolean;
  /** the model's own context limit */
  readonly maxContext: number;
  readonly note?: string;
}

// Qwen3-Next DeltaNet state: 36 layers × 32 value heads × 128 × 128 fp32 = 72 MiB, plus ~2 MiB conv state.
const qwen3NextState = (36 * 32 * 128 * 128 * 4) / 2 ** 20 + 2;

export const MODEL_CATALOG: Readonly<Record<string, ModelArchitecture>> = {
  "unsloth/Qwen3-Coder-Next-FP8-Dynamic": {
    // 80B total (3B active): linear/expert weights FP8, untied embedding + lm_head (151936 × 2048 each) BF16
    paramsBillions: { fp8: 79.4, bf16: 0.62 },
    fullAttentionLayers: 12,
    kvHeads: 2,
    headDim: 256,
    linearStateMiBPerSeq: qwen3NextState,
    maxContext: 262144,
    note: "Qwen3-Next hybrid: 12 of 48 layers are full attention",
  },
  "Qwen/Qwen3-VL-32B-Thinking-FP8": {
    // 33.4B: text linear layers FP8; embedding + lm_head (151936 × 5120 each) and the ~0.6B vision tower BF16
    paramsBillions: { fp8: 31.2, bf16: 2.16 },
    fullAttentionLayers: 64,
    kvHeads: 8,
    headDim: 128,
    vision: true,
    maxContext: 262144,
  },
  "allenai/SERA-32B": {
    // Qwen3-32B fine-tune, BF16 checkpoint (sera-cli README: "~65GB")
    paramsBillions: { bf16: 32.8 },
    fullAttentionLayers: 64,
    kvHeads: 8,
    headDim: 128,
    maxContext: 32768,
  },
};

export function weightsGiB(arch: ModelArchitecture): number {
  let bytes = 0;
  for (const [dtype, billions] of Object.entries(arch.paramsBillions) as [WeightDtype, number][]) {
    bytes += billions * 1e9 * BYTES_PER_PARAM[dtype];
  }
  return bytes / 2 ** 30;
}
