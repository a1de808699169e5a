// The one description of a deployed endpoint. The Pulumi component, `sera --modal` and the deploy script all
// build it here; the Modal app (modal/vllm_app.py) reads it as JSON and runs exactly `spec.serve.argv`.
import { planCapacity, vllmDefaultMaxNumSeqs, type CapacityPlan } from "./capacity.ts";
import { ConfigError, DEFAULTS, limitMmObject, type VllmEndpointArgs } from "./endpoint-defaults.ts";
import { parseGpu } from "./gpus.ts";
import { MODEL_CATALOG, type ModelArchitecture } from "./model-catalog.ts";

export const SERVER_PORT = 8000;
export const FUNCTION_NAME = "serve";
/** with fastBoot the server is a Modal class (snapshot hooks need @modal.enter) */
export const FAST_BOOT_FUNCTION_NAME = "VllmServer.serve";
/** Where the weights live in the container: Hugging Face's cache, baked into the image or on a Volume. */
export const HF_HOME = "/root/.cache/huggingface";

/**
 * The container every endpoint runs in: the one place the CUDA image is named (modal/vllm_app.py reads it from the
 * spec). Why a CUDA devel base plus `vllm download-kernels`, from vLLM 0.33's own code:
 * - flashinfer-python 0.7.2 (vLLM's pin) ships kernel sources, not kernels: it JIT-compiles with nvcc and the CUDA
 *   headers, or loads the flashinfer-cubin / flashinfer-jit-cache wheels. debian_slim + pip has neither, and vLLM then
 *   logs "FlashInfer kernels are disabled" (utils/flashinfer.has_flashinfer) yet still selects FlashInfer attention.
 * - fp8 KV on an A100 (SM80) runs only on FlashInfer: FlashAttention takes fp8 KV on SM90/SM100 only
 *   (fa_utils.flash_attn_supports_kv_cache_dtype) and Triton attention refuses fp8 below SM89 (TritonAttentionImpl).
 * - The coder's Gated-DeltaNet prefill on Hopper is FlashInfer's (qwen_gdn_linear_attn._resolve_gdn_prefill_backend).
 * The devel image is what Modal's vLLM examples build on (from_registry("nvidia/cuda:…-devel-…", add_python=…)): nvcc
 * for whatever FlashInfer still compiles. `vllm download-kernels` installs the cubin and jit-cache wheels that match the
 * installed FlashInfer (no second version pin), so the common kernels load instead of compiling on every cold start;
 * the builder has no GPU, so it runs with VLLM_TARGET_DEVICE=cpu (vLLM's CLI infers a device to build its parsers).
 * CUDA 13.0: the CUDA of the torch vLLM 0.33 pins (cu130); tests/vllm/image.test.ts checks both against the venv.
 */
export const VLLM_IMAGE = {
  base: "nvidia/cuda:13.0.0-devel-ubuntu22.04",
  python: "3.12",
  kernels: "VLLM_TARGET_DEVICE=cpu vllm download-kernels",
} as const;

export interface EndpointSpec {
  readonly name: string;
  readonly appName: string;
  readonly functionName: string;
  readonly environment?: string;
  readonly model: string;
  readonly servedModelName: string;
  readonly revision?: string;
  readonly gpu: string;
  readonly vllmVersion: string;
  /** base image, Python added to it, and the build step that installs FlashInfer's precompiled kernels */
  readonly image: { readonly base: string; readonly python: string; readonly kernels: string };
  readonly port: number;
  readonly serve: { readonly argv: readonly string[]; readonly env: Readonly<Record<string, string>> };
  readonly scaling: {
    readonly scaledownWindow: number;
    readonly minContainers: number;
    readonly maxContainers?: number;
    readonly maxInputs: number;
    readonly startupTimeout: number;
    readonly timeout: number;
  };
  readonly weights: { readonly mode: "image" | "volume"; readonly volumeName?: string; readonly hfHome: string };
  /** names of Modal Secrets; the api key's value never appears in the spec */
  readonly secrets: { readonly apiKey?: string; readonly hf?: string };
  readonly requiresProxyAuth: boolean;
  readonly fastBoot: boolean;
  readonly waitForReady: boolean;
}

export interface SpecContext {
  readonly project: string;
  readonly stack: string;
  /** whether an API key will be delivered (its value travels separately, as a secret) */
  readonly hasApiKey: boolean;
}

/** Modal app names: ≤ 64 chars of letters, digits, '-', '_', '.'; we keep them lower-case and dashed. */
export function defaultAppName(project: string, stack: string, name: string): string {
  return `${project}-${stack}-${name}`.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/-+/g, "-").slice(0, 63).replace(/-$/, "");
}

export function apiKeySecretName(appName: string): string {
  return `${appName}-vllm-api-key`.slice(0, 63);
}

export function architectureFor(args: Pick<VllmEndpointArgs, "model" | "architecture">): ModelArchitecture | undefined {
  return args.architecture ?? MODEL_CATALOG[args.model];
}

/** The `vllm serve` argv (after "vllm serve" itself is prepended). The API key comes from VLLM_API_KEY, never argv. */
export function vllmServeArgv(args: VllmEndpointArgs, maxModelLen: number, name = args.model): string[] {
  const gpu = parseGpu(args.gpu);
  const argv = ["vllm", "serve", args.model, "--served-model-name", args.servedModelName ?? args.model, "--host", "0.0.0.0", "--port", String(SERVER_PORT)];
  if (args.revision) argv.push("--revision", args.revision);
  argv.push("--max-model-len", String(maxModelLen));
  if (args.maxNumSeqs !== undefined) argv.push("--max-num-seqs", String(args.maxNumSeqs));
  argv.push("--gpu-memory-utilization", String(args.gpuMemoryUtilization ?? DEFAULTS.gpuMemoryUtilization));
  const kv = args.kvCacheDtype ?? DEFAULTS.kvCacheDtype;
  if (kv !== "auto") argv.push("--kv-cache-dtype", kv);
  if (gpu.count > 1) argv.push("--tensor-parallel-size", String(gpu.count));
  if (args.toolCallParser) argv.push("--enable-auto-tool-choice", "--tool-call-parser", args.toolCallParser);
  if (args.reasoningParser) argv.push("--reasoning-parser", args.reasoningParser);
  const limit = limitMmObject(name, args.limitMmPerPrompt);
  if (limit !== undefined) argv.push("--limit-mm-per-prompt", JSON.stringify(limit));
  if (args.trustRemoteCode) argv.push("--trust-remote-code");
  if (args.enforceEager) argv.push("--enforce-eager");
  if (args.fastBoot) argv.push("--enable-sleep-mode");
  argv.push(...(args.extraArgs ?? []));
  return argv;
}

export interface BuiltEndpoint {
  readonly spec: EndpointSpec;
  /** undefined when the model is not in the catalog and no architecture was given */
  readonly capacity?: CapacityPlan;
  readonly capacitySkipped?: string;
}

/** The context length vLLM serves (`--max-model-len`): the config's, else the catalog model's own. Clients
 *  (sera's proxy, Claude Code's compaction) use the same number. Throws ConfigError when neither is known. */
export function contextLength(name: string, args: Pick<VllmEndpointArgs, "model" | "maxModelLen" | "architecture">): number {
  const maxModelLen = args.maxModelLen ?? architectureFor(args)?.maxContext;
  if (maxModelLen === undefined) throw new ConfigError(`${name}: maxModelLen is required for ${args.model}, which is not in the model catalog`);
  return maxModelLen;
}

/** Pure: args → spec + capacity plan. Throws ConfigError for what vLLM or Modal would reject anyway. */
export function buildEndpoint(name: string, args: VllmEndpointArgs, ctx: SpecContext): BuiltEndpoint {
  const gpu = parseGpu(args.gpu);
  const arch = architectureFor(args);
  const maxModelLen = contextLength(name, args);
  const appName = args.appName ?? defaultAppName(ctx.project, ctx.stack, name);
  const maxInputs = args.maxInputs ?? DEFAULTS.maxInputs;
  const weights = args.weights ?? DEFAULTS.weights;
  const serveEnv: Record<string, string> = { HF_HOME, HF_HUB_ENABLE_HF_TRANSFER: "1" };
  // baked weights must never be re-fetched at start; a volume downloads them on the first start
  if (weights === "image") serveEnv.HF_HUB_OFFLINE = "1";
  if (args.fastBoot) Object.assign(serveEnv, { VLLM_SERVER_DEV_MODE: "1", TORCHINDUCTOR_COMPILE_THREADS: "1" });
  const spec: EndpointSpec = {
    name,
    appName,
    functionName: args.fastBoot ? FAST_BOOT_FUNCTION_NAME : FUNCTION_NAME,
    ...(args.environment ? { environment: args.environment } : {}),
    model: args.model,
    servedModelName: args.servedModelName ?? args.model,
    ...(args.revision ? { revision: args.revision } : {}),
    gpu: gpu.modal,
    vllmVersion: args.vllmVersion ?? DEFAULTS.vllmVersion,
    image: { ...VLLM_IMAGE },
    port: SERVER_PORT,
    serve: { argv: vllmServeArgv(args, maxModelLen, name), env: serveEnv },
    scaling: {
      scaledownWindow: args.scaledownWindow ?? DEFAULTS.scaledownWindow,
      minContainers: args.minContainers ?? DEFAULTS.minContainers,
      ...(args.maxContainers !== undefined ? { maxContainers: args.maxContainers } : {}),
      maxInputs,
      startupTimeout: args.startupTimeout ?? DEFAULTS.startupTimeout,
      timeout: args.timeout ?? DEFAULTS.timeout,
    },
    weights: { mode: weights, ...(weights === "volume" ? { volumeName: args.volumeName ?? DEFAULTS.volumeName } : {}), hfHome: HF_HOME },
    secrets: { ...(ctx.hasApiKey ? { apiKey: apiKeySecretName(appName) } : {}), ...(args.hfSecretName ? { hf: args.hfSecretName } : {}) },
    requiresProxyAuth: args.requiresProxyAuth ?? false,
    fastBoot: args.fastBoot ?? false,
    waitForReady: args.waitForReady ?? false,
  };
  if (!arch) {
    return { spec, capacitySkipped: `${name}: capacity check could not run: ${args.model} is not in the model catalog; give its architecture numbers in config (architecture: {...})` };
  }
  const capacity = planCapacity({
    endpoint: name,
    model: args.model,
    arch,
    gpu,
    maxModelLen,
    gpuMemoryUtilization: args.gpuMemoryUtilization ?? DEFAULTS.gpuMemoryUtilization,
    kvCacheDtype: args.kvCacheDtype ?? DEFAULTS.kvCacheDtype,
    enforceEager: args.enforceEager ?? false,
    prefixCaching: !args.extraArgs?.includes("--no-enable-prefix-caching"),
    concurrency: Math.min(args.maxNumSeqs ?? vllmDefaultMaxNumSeqs(gpu.type), maxInputs),
  });
  return { spec, capacity };
}
