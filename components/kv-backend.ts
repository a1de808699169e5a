// Which attention backend vLLM 0.33 runs a quantized (fp8) KV cache on, by compute capability: the first backend in
// platforms/cuda.py _get_backend_priorities that passes its validate_configuration, for these models' attention
// (decoder, bf16, head size 128/256, no sinks, no MLA). FlashAttention takes fp8 KV only on SM90 (FA3) and SM100 (FA4),
// never e5m2 (fa_utils.flash_attn_supports_kv_cache_dtype); FlashInfer takes SM80..SM121; Triton passes selection but
// refuses fp8 below SM89 when it starts. tests/vllm/image.test.ts runs vLLM's selector for 7.5 and 8.0.
import type { KvCacheDtype } from "./capacity.ts";
import type { GpuType } from "./gpus.ts";

export type KvAttentionBackend = "FLASH_ATTN" | "FLASHINFER" | "TRITON_ATTN";

/** undefined: no backend of vLLM 0.33 serves this KV dtype on this GPU, so vLLM would fail at start-up. */
export function fp8KvBackend(gpu: GpuType, dtype: Exclude<KvCacheDtype, "auto">): KvAttentionBackend | undefined {
  const cc = gpu.computeCapability;
  // SM100 puts FlashInfer first; elsewhere FlashAttention is first and takes fp8 (e4m3) on Hopper only
  if (cc === 90 && dtype !== "fp8_e5m2") return "FLASH_ATTN";
  if (cc >= 80 && cc <= 121) return "FLASHINFER";
  if (cc >= 89) return "TRITON_ATTN";
  return undefined;
}

/** The config error for an fp8 KV cache no backend serves, naming the key's value and the GPU. */
export function fp8KvUnsupported(gpu: GpuType, dtype: KvCacheDtype): string | undefined {
  if (dtype === "auto" || fp8KvBackend(gpu, dtype)) return undefined;
  const cc = `${Math.floor(gpu.computeCapability / 10)}.${gpu.computeCapability % 10}`;
  return (
    `vLLM 0.33 has no attention backend for a ${dtype} KV cache on ${gpu.name} (compute capability ${cc}): ` +
    `FlashAttention and FlashInfer need 8.0+, Triton refuses fp8 below 8.9; use kvCacheDtype auto or another GPU`
  );
}
