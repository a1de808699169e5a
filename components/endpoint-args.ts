// What a user may say about one vLLM endpoint: the typed Args of VllmEndpoint and the zod schema that
// validates the same fields when they come from stack config (so a bad key fails preview by name).
import { z } from "zod";
import { ConfigError, DEFAULTS, PLANNED_KV_CACHE_DTYPES, type VllmEndpointArgs } from "./endpoint-defaults.ts";
import type { KvCacheDtype } from "./capacity.ts";
import { parseGpu } from "./gpus.ts";
import { fp8KvUnsupported } from "./kv-backend.ts";
import { unknownVllmName, VLLM_NAMES, type VllmNameKind } from "./vllm-names.ts";

// The typed Args, the defaults and ConfigError live in endpoint-defaults.ts (no zod), so that code which only plans
// (sera's planning, endpoint-spec.ts) does not load zod into a session-long process (runtime/proxy/PERFORMANCE.md).
export { ConfigError, DEFAULTS, limitMmObject, PLANNED_KV_CACHE_DTYPES, type VllmEndpointArgs } from "./endpoint-defaults.ts";

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
