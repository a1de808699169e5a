// fp8KvBackend is vLLM 0.33's backend choice for an fp8 KV cache; tests/vllm/image.test.ts checks it against vLLM's
// selector for every GPU but SM90 (there FlashAttention 3's extension is needed to observe it).
import { parseGpu } from "../../components/gpus.ts";
import { fp8KvBackend, fp8KvUnsupported } from "../../components/kv-backend.ts";

const gpu = (name: string) => parseGpu(name).type;

it.each([
  ["A100-80GB", "fp8", "FLASHINFER"],
  ["A10", "fp8", "FLASHINFER"],
  ["L40S", "fp8_e4m3", "FLASHINFER"],
  ["H100", "fp8", "FLASH_ATTN"],
  ["H200", "fp8_e4m3", "FLASH_ATTN"],
  // FlashAttention never takes e5m2
  ["H200", "fp8_e5m2", "FLASHINFER"],
  ["B200", "fp8", "FLASHINFER"],
  ["RTX-PRO-6000", "fp8", "FLASHINFER"],
  ["T4", "fp8", undefined],
] as const)("%s with %s KV runs on %s", (name, dtype, backend) => {
  expect(fp8KvBackend(gpu(name), dtype)).toBe(backend);
});

it("says nothing for auto or a served fp8, and names GPU and compute capability otherwise", () => {
  expect(fp8KvUnsupported(gpu("T4"), "auto")).toBeUndefined();
  expect(fp8KvUnsupported(gpu("A100-80GB"), "fp8")).toBeUndefined();
  expect(fp8KvUnsupported(gpu("T4"), "fp8_e5m2")).toMatch(/^vLLM 0\.33 has no attention backend for a fp8_e5m2 KV cache on T4 \(compute capability 7\.5\)/);
});
