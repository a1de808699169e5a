// Configuration of the vlm-analyzer MCP server, read from the environment by one pure function.
// A bad or missing value does not stop the server: MCP clients show a dead stdio server as an opaque
// "connection closed", so the problem is reported in every tool result instead (see `problem`).
import { z } from "zod";

export const DEFAULT_MODEL = "Qwen/Qwen3-VL-32B-Thinking-FP8";
export const DEFAULT_MAX_IMAGES = 5;
export const DEFAULT_IMAGE_TOKENS = 1280;
export const DEFAULT_TIMEOUT_S = 300;
export const DEFAULT_PROGRESS_INTERVAL_S = 5;

export interface Config {
  /** Base URL of the OpenAI-compatible endpoint, ending in /v1 (no trailing slash). Undefined when not set. */
  readonly endpoint: string | undefined;
  readonly model: string;
  /** Whole-call budget in ms: retries of a cold endpoint and the generation itself must fit in it. */
  readonly timeoutMs: number;
  readonly apiKey: string | undefined;
  readonly modalProxy: { readonly tokenId: string; readonly tokenSecret: string } | undefined;
  /** The endpoint's images-per-prompt limit (vLLM --limit-mm-per-prompt). */
  readonly maxImages: number;
  /** Per-image budget in Qwen3-VL visual tokens (one token = 32×32 px). */
  readonly imageTokens: number;
  /** max_tokens for the completion; undefined lets vLLM use what is left of the context. */
  readonly maxTokens: number | undefined;
  readonly progressIntervalMs: number;
}

export interface ParsedConfig {
  readonly config: Config;
  /** Set when the server cannot call the VLM; every tool call returns it as an error result. */
  readonly problem: string | undefined;
}

const blankToUndefined = (v: unknown): unknown => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalString = z.preprocess(blankToUndefined, z.string().trim().optional());
const positiveInt = (name: string, max: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: `${name} must be a whole number` })
      .int(`${name} must be a whole number`)
      .min(1, `${name} must be at least 1`)
      .max(max, `${name} must be at most ${max}`)
      .optional(),
  );
const positiveSeconds = (name: string) =>
  z.preprocess(
    blankToUndefined,
    z.coerce.number({ error: `${name} must be a number of seconds` }).positive(`${name} must be > 0 seconds`).optional(),
  );

/** The env the server reads (exported so `--help` can be checked against it). */
export const EnvSchema = z.object({
  VLM_ENDPOINT: z.preprocess(
    blankToUndefined,
    z
      .url({ protocol: /^https?$/, error: "VLM_ENDPOINT must be an http(s) URL such as https://host/v1" })
      .transform((u) => u.replace(/\/+$/, ""))
      .refine((u) => u.endsWith("/v1"), "VLM_ENDPOINT must be the base URL ending in /v1 (e.g. https://host/v1)")
      .optional(),
  ),
  VLM_MODEL: optionalString,
  VLM_TIMEOUT: positiveSeconds("VLM_TIMEOUT"),
  VLM_API_KEY: optionalString,
  MODAL_PROXY_TOKEN_ID: optionalString,
  MODAL_PROXY_TOKEN_SECRET: optionalString,
  VLM_MAX_IMAGES: positiveInt("VLM_MAX_IMAGES", 64),
  // 64 tokens is the Qwen3-VL processor's minimum (shortest_edge 65536 px): smaller images are scaled up anyway.
  VLM_IMAGE_TOKENS: positiveInt("VLM_IMAGE_TOKENS", 16384).refine(
    (v) => v === undefined || v >= 64,
    "VLM_IMAGE_TOKENS must be at least 64 (the model's minimum per image)",
  ),
  VLM_MAX_TOKENS: positiveInt("VLM_MAX_TOKENS", 1_000_000),
  VLM_PROGRESS_INTERVAL: positiveSeconds("VLM_PROGRESS_INTERVAL"),
});

const DEFAULTS: Config = {
  endpoint: undefined,
  model: DEFAULT_MODEL,
  timeoutMs: DEFAULT_TIMEOUT_S * 1000,
  apiKey: undefined,
  modalProxy: undefined,
  maxImages: DEFAULT_MAX_IMAGES,
  imageTokens: DEFAULT_IMAGE_TOKENS,
  maxTokens: undefined,
  progressIntervalMs: DEFAULT_PROGRESS_INTERVAL_S * 1000,
};

/** Pure: environment → config plus, if the VLM cannot be called, a message saying what to fix. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): ParsedConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problem = parsed.error.issues.map((i) => i.message).join("; ");
    return { config: DEFAULTS, problem: `Invalid vlm-analyzer configuration: ${problem}.` };
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.VLM_ENDPOINT === undefined) {
    problems.push(
      "VLM_ENDPOINT is not set: set it in the MCP server's env to the vision endpoint's base URL ending in /v1",
    );
  }
  if ((e.MODAL_PROXY_TOKEN_ID === undefined) !== (e.MODAL_PROXY_TOKEN_SECRET === undefined)) {
    problems.push("MODAL_PROXY_TOKEN_ID and MODAL_PROXY_TOKEN_SECRET must be set together");
  }
  const config: Config = {
    endpoint: e.VLM_ENDPOINT,
    model: e.VLM_MODEL ?? DEFAULT_MODEL,
    timeoutMs: (e.VLM_TIMEOUT ?? DEFAULT_TIMEOUT_S) * 1000,
    apiKey: e.VLM_API_KEY,
    modalProxy:
      e.MODAL_PROXY_TOKEN_ID !== undefined && e.MODAL_PROXY_TOKEN_SECRET !== undefined
        ? { tokenId: e.MODAL_PROXY_TOKEN_ID, tokenSecret: e.MODAL_PROXY_TOKEN_SECRET }
        : undefined,
    maxImages: e.VLM_MAX_IMAGES ?? DEFAULT_MAX_IMAGES,
    imageTokens: e.VLM_IMAGE_TOKENS ?? DEFAULT_IMAGE_TOKENS,
    maxTokens: e.VLM_MAX_TOKENS,
    progressIntervalMs: (e.VLM_PROGRESS_INTERVAL ?? DEFAULT_PROGRESS_INTERVAL_S) * 1000,
  };
  return { config, problem: problems.length ? `${problems.join("; ")}.` : undefined };
}
