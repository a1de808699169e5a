// Architecture facts for the capacity check, and the config.json they stand for. Sources (secondary: the exact
// config.json of these repos was unreachable): ../shared/reference/pulumi-modal-vllm.md §7 — Qwen3-Next (48 layers =
// 12 × [3 Gated-DeltaNet + 1 full attention], 2 KV heads × 256; DeltaNet 16 QK / 32 V heads × 128, conv kernel 4),
// the Qwen3-32B text stack (64 layers, 8 KV heads × 128) shared by Qwen3-VL-32B and SERA-32B.
// tests/vllm/capacity.test.ts writes configJson() for each model and has vLLM build its KV-cache spec from it.
// Weights are counted from parameters by storage dtype, not typed as GiB: an FP8 checkpoint stores its linear
// layers at 1 byte/param but keeps embeddings, lm_head (and here the vision tower) in BF16. Weights are an estimate:
// vLLM measures them at load time, and no config.json states them.

export type WeightDtype = "fp8" | "bf16" | "fp32" | "int4";
export const BYTES_PER_PARAM: Readonly<Record<WeightDtype, number>> = { fp8: 1, bf16: 2, fp32: 4, int4: 0.5 };

/** The model's activation dtype: KV cache "auto" and the Gated-DeltaNet state are stored in it. */
export type ModelDtype = "bfloat16" | "float16";
export const BYTES_PER_MODEL_DTYPE: Readonly<Record<ModelDtype, number>> = { bfloat16: 2, float16: 2 };

/** Gated-DeltaNet layers (Qwen3-Next): a constant recurrent state per sequence instead of a per-token KV cache. */
export interface LinearAttention {
  readonly layers: number;
  readonly keyHeads: number;
  readonly valueHeads: number;
  readonly keyHeadDim: number;
  readonly valueHeadDim: number;
  readonly convKernel: number;
}

export interface ModelArchitecture {
  /** billions of parameters per storage dtype */
  readonly paramsBillions: Readonly<Partial<Record<WeightDtype, number>>>;
  /** layers that keep a KV cache (full attention); linear-attention layers do not */
  readonly fullAttentionLayers: number;
  readonly kvHeads: number;
  readonly headDim: number;
  /** default bfloat16 */
  readonly dtype?: ModelDtype;
  readonly linearAttention?: LinearAttention;
  /** a vision tower: vLLM profiles the encoder at start-up, which costs activation memory */
  readonly vision?: boolean;
  /** the model's own context limit */
  readonly maxContext: number;
  readonly note?: string;
}

/** A catalog entry: the architecture plus the rest of its config.json (what vLLM needs to resolve the model class). */
export interface CatalogModel extends ModelArchitecture {
  readonly hfConfig: {
    readonly architectures: readonly string[];
    readonly model_type: string;
    /** the language model's keys; for a VL model they go into text_config */
    readonly text: Readonly<Record<string, unknown>>;
    readonly vision?: Readonly<Record<string, unknown>>;
    readonly textModelType?: string;
  };
}

const qwen3TextStack = { hidden_size: 5120, num_attention_heads: 64, intermediate_size: 25600, vocab_size: 151936, rms_norm_eps: 1e-6, hidden_act: "silu" };

export const MODEL_CATALOG: Readonly<Record<string, CatalogModel>> = {
  "unsloth/Qwen3-Coder-Next-FP8-Dynamic": {
    // 80B total (3B active): linear/expert weights FP8, untied embedding + lm_head (151936 × 2048 each) BF16
    paramsBillions: { fp8: 79.4, bf16: 0.62 },
    fullAttentionLayers: 12,
    kvHeads: 2,
    headDim: 256,
    linearAttention: { layers: 36, keyHeads: 16, valueHeads: 32, keyHeadDim: 128, valueHeadDim: 128, convKernel: 4 },
    maxContext: 262144,
    note: "Qwen3-Next hybrid: 12 of 48 layers are full attention",
    hfConfig: {
      architectures: ["Qwen3NextForCausalLM"],
      model_type: "qwen3_next",
      text: {
        hidden_size: 2048, num_attention_heads: 16, intermediate_size: 5120, vocab_size: 151936, num_experts: 512, num_experts_per_tok: 10,
        moe_intermediate_size: 512, shared_expert_intermediate_size: 512, decoder_sparse_step: 1, norm_topk_prob: true, mlp_only_layers: [],
        tie_word_embeddings: false, rope_theta: 5000000, partial_rotary_factor: 0.25, rms_norm_eps: 1e-6, hidden_act: "silu",
      },
    },
  },
  "Qwen/Qwen3-VL-32B-Thinking-FP8": {
    // 33.4B: text linear layers FP8; embedding + lm_head (151936 × 5120 each) and the ~0.6B vision tower BF16
    paramsBillions: { fp8: 31.2, bf16: 2.16 },
    fullAttentionLayers: 64,
    kvHeads: 8,
    headDim: 128,
    vision: true,
    maxContext: 262144,
    hfConfig: {
      architectures: ["Qwen3VLForConditionalGeneration"],
      model_type: "qwen3_vl",
      textModelType: "qwen3_vl_text",
      text: { ...qwen3TextStack, rope_theta: 5000000, rope_scaling: { rope_type: "default", mrope_section: [24, 20, 20], mrope_interleaved: true }, tie_word_embeddings: false },
      vision: { model_type: "qwen3_vl", depth: 27, hidden_size: 1152, intermediate_size: 4304, num_heads: 16, out_hidden_size: 5120, patch_size: 16, spatial_merge_size: 2, temporal_patch_size: 2, in_channels: 3, num_position_embeddings: 2304, deepstack_visual_indexes: [8, 16, 24], hidden_act: "gelu_pytorch_tanh" },
    },
  },
  "allenai/SERA-32B": {
    // Qwen3-32B fine-tune, BF16 checkpoint (sera-cli README: "~65GB")
    paramsBillions: { bf16: 32.8 },
    fullAttentionLayers: 64,
    kvHeads: 8,
    headDim: 128,
    maxContext: 32768,
    hfConfig: { architectures: ["Qwen3ForCausalLM"], model_type: "qwen3", text: { ...qwen3TextStack, rope_theta: 1000000, tie_word_embeddings: false } },
  },
};

export function weightsGiB(arch: ModelArchitecture): number {
  let bytes = 0;
  for (const [dtype, billions] of Object.entries(arch.paramsBillions) as [WeightDtype, number][]) {
    bytes += billions * 1e9 * BYTES_PER_PARAM[dtype];
  }
  return bytes / 2 ** 30;
}

/** The config.json a catalog model stands for: the architecture numbers in Hugging Face's keys, plus hfConfig. */
export function configJson(model: CatalogModel): Record<string, unknown> {
  const la = model.linearAttention;
  const layers = model.fullAttentionLayers + (la?.layers ?? 0);
  const text: Record<string, unknown> = {
    ...model.hfConfig.text,
    num_hidden_layers: layers,
    num_key_value_heads: model.kvHeads,
    head_dim: model.headDim,
    max_position_embeddings: model.maxContext,
    torch_dtype: model.dtype ?? "bfloat16",
    ...(la
      ? {
          // Qwen3-Next: every full_attention_interval-th layer is full attention, the rest Gated DeltaNet
          full_attention_interval: layers / model.fullAttentionLayers,
          linear_num_key_heads: la.keyHeads,
          linear_num_value_heads: la.valueHeads,
          linear_key_head_dim: la.keyHeadDim,
          linear_value_head_dim: la.valueHeadDim,
          linear_conv_kernel_dim: la.convKernel,
        }
      : {}),
  };
  const { architectures, model_type } = model.hfConfig;
  if (!model.hfConfig.vision) return { architectures, model_type, ...text };
  return { architectures, model_type, torch_dtype: text.torch_dtype, text_config: { ...text, model_type: model.hfConfig.textModelType }, vision_config: model.hfConfig.vision };
}
