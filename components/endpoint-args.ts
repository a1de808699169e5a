// What a user may say about one vLLM endpoint: the typed Args of VllmEndpoint and the zod schema that
// validates the same fields when they come from stack config (so a bad key fails preview by name).
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { KvCacheDtype } from "./capacity.ts";
import { parseGpu } from "./gpus.ts";
import { fp8KvUnsupported } from "./kv-backend.ts";
import type { ModelArchitecture } from "./model-catalog.ts";
import { unknownVllmName, VLLM_NAMES, type VllmNameKind } from "./vllm-names.ts";

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

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);
const name = z.string().regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' and '-' only");

const limitMm = z
  .union([z.string(), z.record(z.string(), int(0))])
  .transform((v, ctx) => {
    if (typeof v !== "string") return v;
    try {
      const parsed: unknown = JSON.parse(v);
      const r = z.record(z.string(), int(0)).safeParse(parsed);
      if (r.success) return r.data;
    } catch {
      /* reported below */
    }
    ctx.addIssue({ code: "custom", message: `must be a JSON object of counts, e.g. {"image":5}; got ${JSON.stringify(v)}` });
    return z.NEVER;
  });

const architecture = z.strictObject({
  paramsBillions: z.strictObject({ fp8: z.number().positive().optional(), bf16: z.number().positive().optional(), fp32: z.number().positive().optional(), int4: z.number().positive().optional() }),
  fullAttentionLayers: int(1),
  kvHeads: int(1),
  headDim: int(1),
  dtype: z.enum(["bfloat16", "float16"]).optional(),
  linearAttention: z.strictObject({ layers: int(1), keyHeads: int(1), valueHeads: int(1), keyHeadDim: int(1), valueHeadDim: int(1), convKernel: int(1) }).optional(),
  vision: z.boolean().optional(),
  maxContext: int(1),
  note: z.string().optional(),
});

/** The endpoint fields accepted from stack config (apiKey comes from a separate secret key). */
export const endpointConfigSchema = z
  .strictObject({
    enabled: z.boolean().optional(),
    model: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "a Hugging Face id like org/name"),
    servedModelName: z.string().min(1).optional(),
    revision: z.string().min(1).optional(),
    gpu: z.string().superRefine((v, ctx) => {
      try {
        parseGpu(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
      }
    }),
    maxModelLen: int(256).optional(),
    maxNumSeqs: int(1).optional(),
    gpuMemoryUtilization: z.number().gt(0).max(1).optional(),
    kvCacheDtype: z
      .string()
      .superRefine((v, ctx) => {
        const unknown = unknownVllmName("kvCacheDtypes", v);
        if (unknown) ctx.addIssue({ code: "custom", message: unknown });
        else if (!(PLANNED_KV_CACHE_DTYPES as readonly string[]).includes(v)) {
          ctx.addIssue({ code: "custom", message: `vLLM has "${v}", but the capacity check can size only ${PLANNED_KV_CACHE_DTYPES.join(", ")}` });
        }
      })
      .transform((v) => v as KvCacheDtype)
      .optional(),
    toolCallParser: name.optional(),
    enableAutoToolChoice: z.boolean().optional(),
    reasoningParser: name.optional(),
    limitMmPerPrompt: limitMm.optional(),
    trustRemoteCode: z.boolean().optional(),
    enforceEager: z.boolean().optional(),
    extraArgs: z.array(z.string()).optional(),
    vllmVersion: z.string().regex(/^\d+\.\d+(\.\d+)?([.-]?\w+)*$/, "a version like 0.33.0").optional(),
    scaledownWindow: int(2, 3600).optional(),
    minContainers: int(0).optional(),
    maxContainers: int(1).optional(),
    maxInputs: int(1, 1000).optional(),
    startupTimeout: int(1, 86400).optional(),
    timeout: int(1, 86400).optional(),
    weights: z.enum(["image", "volume"]).optional(),
    volumeName: name.optional(),
    requiresProxyAuth: z.boolean().optional(),
    hfSecretName: name.optional(),
    fastBoot: z.boolean().optional(),
    appName: name.max(63).optional(),
    environment: name.optional(),
    waitForReady: z.boolean().optional(),
    architecture: architecture.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.enableAutoToolChoice === false && c.toolCallParser) {
      ctx.addIssue({ code: "custom", path: ["toolCallParser"], message: "a tool call parser needs --enable-auto-tool-choice: drop enableAutoToolChoice: false or the parser" });
    }
    if (c.enableAutoToolChoice === true && !c.toolCallParser) {
      ctx.addIssue({ code: "custom", path: ["enableAutoToolChoice"], message: "--enable-auto-tool-choice needs a toolCallParser" });
    }
    // vllm-names.json lists the pinned vLLM's registries; another vllmVersion may have other names, so it is not judged
    if ((c.vllmVersion ?? DEFAULTS.vllmVersion) === VLLM_NAMES.vllmVersion) {
      for (const [key, kind] of [["toolCallParser", "toolCallParsers"], ["reasoningParser", "reasoningParsers"]] as const satisfies readonly (readonly [keyof typeof c, VllmNameKind])[]) {
        const value = c[key];
        const unknown = value === undefined ? undefined : unknownVllmName(kind, value);
        if (unknown) ctx.addIssue({ code: "custom", path: [key], message: unknown });
      }
    }
    if (c.kvCacheDtype && c.kvCacheDtype !== "auto") {
      let unsupported: string | undefined;
      try {
        unsupported = fp8KvUnsupported(parseGpu(c.gpu).type, c.kvCacheDtype);
      } catch {
        /* an unknown GPU is reported on gpu */
      }
      if (unsupported) ctx.addIssue({ code: "custom", path: ["kvCacheDtype"], message: unsupported });
    }
    if (c.minContainers !== undefined && c.maxContainers !== undefined && c.minContainers > c.maxContainers) {
      ctx.addIssue({ code: "custom", path: ["minContainers"], message: `minContainers (${c.minContainers}) exceeds maxContainers (${c.maxContainers})` });
    }
  });

export type EndpointConfig = z.output<typeof endpointConfigSchema>;

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

/** Validates an endpoint object; `where` is its config key, e.g. "coding-agent-server:coder". */
export function parseEndpointConfig(where: string, raw: unknown): EndpointConfig {
  const r = endpointConfigSchema.safeParse(raw);
  if (r.success) return r.data;
  throw new ConfigError(formatIssues(where, r.error.issues));
}

export function formatIssues(where: string, issues: readonly z.core.$ZodIssue[]): string {
  const lines = issues.map((i) => {
    if (i.code === "unrecognized_keys") return `${i.keys.map((k) => `${where}.${k}`).join(", ")}: unknown key${i.keys.length > 1 ? "s" : ""}`;
    const key = [where, ...i.path.map(String)].join(".");
    return `${key}: ${i.message}`;
  });
  return `invalid configuration:\n  ${lines.join("\n  ")}`;
}
