// One vLLM endpoint as code states it: VllmEndpoint's typed Args, their defaults, and the error for a bad value.
// Kept apart from the zod schema (endpoint-args.ts) so that planning code does not load zod (runtime/proxy/PERFORMANCE.md).
import type * as pulumi from "@pulumi/pulumi";
import type { KvCacheDtype } from "./capacity.ts";
import type { ModelArchitecture } from "./model-catalog.ts";

export interface VllmEndpointArgs {
  /** Hugging Face model id */
  readonly model: string;
  /** name clients send as `model` (default: the model id) */
  readonly servedModelName?: string;
  /** pin a model revision (commit/tag) so a redeploy never picks up new weights silently */
  readonly revision?: string;
  /** Modal GPU string with optional count, e.g. "H200" or "H200:2" (count > 1 → tensor parallel) */
  readonly gpu: string;
  readonly maxModelLen?: number;
  readonly maxNumSeqs?: number;
  /** share of GPU memory vLLM may use; we always pass it (default 0.9, below vLLM 0.33's own 0.92: our overheads are estimates) */
  readonly gpuMemoryUtilization?: number;
  readonly kvCacheDtype?: KvCacheDtype;
  /** vLLM tool parser; setting it turns on --enable-auto-tool-choice */
  readonly toolCallParser?: string;
  /** only to state it explicitly: false together with a toolCallParser is a config error */
  readonly enableAutoToolChoice?: boolean;
  readonly reasoningParser?: string;
  /** JSON object, e.g. {"image":5} (vLLM ≥ 0.10 takes only the JSON form) */
  readonly limitMmPerPrompt?: string | Readonly<Record<string, number>>;
  readonly trustRemoteCode?: boolean;
  readonly enforceEager?: boolean;
  /** further `vllm serve` flags, passed through verbatim */
  readonly extraArgs?: readonly string[];
  readonly vllmVersion?: string;
  /** seconds an idle container stays up (Modal: 2..3600) */
  readonly scaledownWindow?: number;
  readonly minContainers?: number;
  readonly maxContainers?: number;
  /** concurrent requests per container (@modal.concurrent max_inputs) */
  readonly maxInputs?: number;
  /** seconds Modal waits for the server port on a cold start */
  readonly startupTimeout?: number;
  /** longest single request, seconds */
  readonly timeout?: number;
  /** "image": weights baked in at image build (fastest cold start); "volume": downloaded once into a Modal Volume */
  readonly weights?: "image" | "volume";
  readonly volumeName?: string;
  /** vLLM --api-key, delivered through a Modal Secret; a Pulumi secret */
  readonly apiKey?: pulumi.Input<string>;
  /** require Modal-Key/Modal-Secret proxy auth headers in front of the server */
  readonly requiresProxyAuth?: boolean;
  /** Modal Secret holding HF_TOKEN for gated or private models */
  readonly hfSecretName?: string;
  /** GPU memory snapshot + vLLM sleep mode for fast cold starts (Modal alpha) */
  readonly fastBoot?: boolean;
  /** default: <project>-<stack>-<name> */
  readonly appName?: string;
  /** Modal environment (default: the profile's) */
  readonly environment?: string;
  /** deploy waits until /v1/models answers (warms a GPU: costs money) */
  readonly waitForReady?: boolean;
  /** architecture numbers for a model not in the catalog, so the capacity check can run */
  readonly architecture?: ModelArchitecture;
}

export const DEFAULTS = {
  // passed explicitly so a vLLM upgrade that moves its default (0.92 in 0.33) cannot change the memory plan unseen
  gpuMemoryUtilization: 0.9,
  kvCacheDtype: "auto",
  vllmVersion: "0.33.0",
  scaledownWindow: 300,
  minContainers: 0,
  maxInputs: 32,
  startupTimeout: 1200,
  timeout: 3600,
  weights: "image",
  volumeName: "huggingface-cache",
} as const;

/** The KV-cache dtypes the capacity check can size (a subset of vLLM's); vLLM's full list is in vllm-names.json. */
export const PLANNED_KV_CACHE_DTYPES = ["auto", "fp8", "fp8_e4m3", "fp8_e5m2"] as const satisfies readonly KvCacheDtype[];

/** Thrown for invalid configuration; the message names every offending key in full. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** limitMmPerPrompt as an object, whether given as JSON text or as an object; `where` names the key in errors. */
export function limitMmObject(where: string, value: VllmEndpointArgs["limitMmPerPrompt"]): Readonly<Record<string, number>> | undefined {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as Record<string, number>;
  } catch {
    throw new ConfigError(`${where}.limitMmPerPrompt: must be JSON, e.g. {"image":5}`);
  }
}

