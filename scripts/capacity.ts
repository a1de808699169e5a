// `npm run capacity -- --model <id> --gpu <GPU> [--kv fp8] [--util 0.9] [--contexts 65536,131072,262144]`
import { parseArgs } from "node:util";
import { tradeOffTable, planCapacity, type KvCacheDtype, OVERHEAD_GIB } from "../components/capacity.ts";
import { ConfigError, DEFAULTS, parseEndpointConfig } from "../components/endpoint-args.ts";
import { parseGpu } from "../components/gpus.ts";
import { fp8KvBackend } from "../components/kv-backend.ts";
import { MODEL_CATALOG } from "../components/model-catalog.ts";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    gpu: { type: "string" },
    kv: { type: "string", default: "fp8" },
    util: { type: "string", default: String(DEFAULTS.gpuMemoryUtilization) },
    contexts: { type: "string", default: "65536,131072,262144" },
    "enforce-eager": { type: "boolean", default: false },
    "no-prefix-caching": { type: "boolean", default: false },
  },
});
const fail = (msg: string): never => {
  process.stderr.write(`capacity: ${msg}\n`);
  process.exit(2);
};
if (!values.model || !values.gpu) fail("usage: npm run capacity -- --model <hf id> --gpu <GPU[:N]> [--kv auto|fp8] [--util 0.9]");
const arch = MODEL_CATALOG[values.model!] ?? fail(`${values.model} is not in the model catalog (${Object.keys(MODEL_CATALOG).join(", ")}); the check could not run`);
// the flags as an endpoint config: the same checks preview runs (GPU, vLLM's KV-cache dtypes, fp8 KV backends),
// reported under the flag's name
const FLAG_OF: Readonly<Record<string, string>> = { model: "--model", gpu: "--gpu", kvCacheDtype: "--kv", gpuMemoryUtilization: "--util" };
try {
  parseEndpointConfig("capacity", { model: values.model, gpu: values.gpu, kvCacheDtype: values.kv, gpuMemoryUtilization: Number(values.util) });
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  fail(e.message.replace(/capacity\.(\w+)/g, (m, key: string) => FLAG_OF[key] ?? m));
}
const gpu = parseGpu(values.gpu!);
const input = {
  endpoint: "capacity",
  model: values.model!,
  arch,
  gpu,
  gpuMemoryUtilization: Number(values.util),
  kvCacheDtype: values.kv as KvCacheDtype,
  enforceEager: values["enforce-eager"]!,
  prefixCaching: !values["no-prefix-caching"],
  concurrency: 1,
};
const contexts = values.contexts!.split(",").map(Number);
const p = planCapacity({ ...input, maxModelLen: contexts[0] });
const g = (n: number) => n.toFixed(1).padStart(6);
console.log(`${values.model} on ${gpu.modal}, kv ${values.kv}, gpu_memory_utilization ${values.util}`);
console.log(`  vLLM budget ${g(p.budgetGiB)} GiB − weights ${g(p.weightsGiB)} GiB − overhead ${g(p.overheadGiB)} GiB ` +
  `(activations ${OVERHEAD_GIB.activation}, CUDA graphs ${input.enforceEager ? 0 : OVERHEAD_GIB.cudaGraphs}${arch.vision ? `, vision encoder ${OVERHEAD_GIB.visionEncoder}` : ""}) = KV ${g(p.kvBudgetGiB)} GiB`);
const l = p.layout;
console.log(`  KV per token ${p.kvBytesPerToken / 1024} KiB (${arch.fullAttentionLayers} full-attention layers × ${arch.kvHeads} KV heads × ${arch.headDim} × 2)` +
  `, in ${l.blockSize}-token blocks of ${l.groupLayers} layers (${(l.bytesPerBlock / 2 ** 20).toFixed(2)} MiB per block and GPU)`);
if (l.linearState) {
  console.log(`  + linear-attention state ${(l.linearState.bytesPerSequence * gpu.count / 2 ** 20).toFixed(2)} MiB per sequence ` +
    `(${arch.linearAttention!.layers} Gated-DeltaNet layers × ${(l.linearState.bytesPerLayer / 2 ** 20).toFixed(2)} MiB in ${arch.dtype ?? "bfloat16"}, ` +
    `${l.linearState.copies} copies, padded to the block)`);
}
if (input.kvCacheDtype !== "auto") {
  console.log(`  ${input.kvCacheDtype} KV runs on vLLM's ${fp8KvBackend(gpu.type, input.kvCacheDtype)} attention backend on ${gpu.type.name}`);
}
console.log("  weights and overhead are estimates; the KV columns are vLLM 0.33's own accounting (tests/vllm/capacity.test.ts)");
console.log("");
console.log("   context | GiB per full-length sequence | full-length sequences that fit");
console.log("  ---------+------------------------------+-------------------------------");
for (const r of tradeOffTable(input, contexts)) {
  const note = r.context > arch.maxContext ? " (beyond the model's context)" : !r.fits ? " (vLLM would refuse to start)" : "";
  console.log(`  ${String(r.context).padStart(8)} | ${r.perSequenceGiB.toFixed(2).padStart(28)} | ${String(r.sequencesThatFit).padStart(30)}${note}`);
}
