// Where each setting comes from: CLI > env (SERA_*) > stack outputs > defaults. One pure function, so the
// whole priority table is tested in one place and `--dry-run` can say where every value came from.
import type { CliArgs, DialectName } from "./args.ts";
import { UsageError } from "./args.ts";

export const DEFAULT_MODEL = "allenai/SERA-32B";
export const DEFAULT_PORT = 8080;
export const DEFAULT_DIALECT: DialectName = "swe-agent";
export const DEFAULT_STACK = "dev";
/** SERA-32B's context in the seed and in the stack config (vLLM --max-model-len). */
export const DEFAULT_MAX_MODEL_LEN = 32768;
/** How long a request waits for an endpoint scaling up from zero (image pull and weight load take minutes). */
export const DEFAULT_COLD_START_TIMEOUT_S = 600;

export type Source = "cli" | "env" | "stack" | "default" | "generated";
export interface Sourced<T> {
  readonly value: T;
  readonly from: Source;
}

/** The environment variables sera reads. */
export interface SeraEnv {
  readonly SERA_ENDPOINT?: string;
  readonly SERA_MODEL?: string;
  readonly SERA_API_KEY?: string;
  readonly SERA_HF_SECRET?: string;
  readonly SERA_STACK?: string;
}

/** `pulumi stack output` → `sera` (present when the stack's sera endpoint is enabled). */
export interface StackSeraOutput {
  readonly baseUrl: string;
  readonly model?: string;
  readonly apiKey?: string;
}

/** `vlmMcpServer`: how to run the vlm-analyzer MCP server (stdio), its env carrying the VLM's URL, model and key. */
export interface McpServerRegistration {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export interface Settings {
  /** undefined: no endpoint known (fine for --modal, deploy and stop) */
  readonly endpoint?: Sourced<string>;
  readonly apiKey?: Sourced<string>;
  readonly model: Sourced<string>;
  readonly hfSecret?: Sourced<string>;
  readonly port: Sourced<number>;
  readonly dialect: Sourced<DialectName>;
  readonly stack: Sourced<string>;
  /** seconds */
  readonly coldStartTimeout: Sourced<number>;
}

const nonEmpty = (s: string | undefined): string | undefined => (s === undefined || s.trim() === "" ? undefined : s);

function first<T>(...layers: Array<[T | undefined, Source]>): Sourced<T> | undefined {
  for (const [value, from] of layers) if (value !== undefined) return { value, from };
  return undefined;
}

/**
 * An endpoint URL as users paste it → the OpenAI base URL (…/v1). Accepts the base, the full
 * …/chat/completions URL (the seed's form) and a bare host (a Modal web URL).
 */
export function normalizeEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(`endpoint: "${raw}" is not a URL (expected e.g. https://host/v1 or https://host/v1/chat/completions)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`endpoint: "${raw}" must be an http(s) URL`);
  url.search = "";
  url.hash = "";
  let path = url.pathname.replace(/\/+$/, "");
  path = path.replace(/\/chat\/completions$/, "").replace(/\/completions$/, "");
  if (path === "") path = "/v1";
  url.pathname = path;
  return url.toString().replace(/\/+$/, "");
}

export function resolveSettings(cli: CliArgs, env: SeraEnv, stack: StackSeraOutput | undefined): Settings {
  const endpoint = first<string>(
    [nonEmpty(cli.endpoint), "cli"],
    [nonEmpty(env.SERA_ENDPOINT), "env"],
    [cli.modal ? undefined : nonEmpty(stack?.baseUrl), "stack"],
  );
  const normalized = endpoint && { value: normalizeEndpoint(endpoint.value), from: endpoint.from };
  // The stack's key belongs to the stack's endpoint: never send it to another server.
  const stackKeyApplies = stack !== undefined && normalized !== undefined && nonEmpty(stack.baseUrl) !== undefined &&
    normalizeEndpoint(stack.baseUrl) === normalized.value;
  const apiKey = first<string>([nonEmpty(env.SERA_API_KEY), "env"], [stackKeyApplies ? nonEmpty(stack?.apiKey) : undefined, "stack"]);
  const model = first<string>(
    [nonEmpty(cli.model), "cli"],
    [nonEmpty(env.SERA_MODEL), "env"],
    [cli.modal ? undefined : nonEmpty(stack?.model), "stack"],
    [DEFAULT_MODEL, "default"],
  ) as Sourced<string>;
  const hfSecret = first<string>([nonEmpty(cli.hfSecret), "cli"], [nonEmpty(env.SERA_HF_SECRET), "env"]);
  return {
    ...(normalized ? { endpoint: normalized } : {}),
    ...(apiKey ? { apiKey } : {}),
    model,
    ...(hfSecret ? { hfSecret } : {}),
    port: first<number>([cli.port, "cli"], [DEFAULT_PORT, "default"]) as Sourced<number>,
    // the coder is a native tool caller (qwen3_coder); SERA was trained on SWE-agent's tools
    dialect: first<DialectName>([cli.dialect, "cli"], [cli.coder ? "native" : DEFAULT_DIALECT, "default"]) as Sourced<DialectName>,
    stack: first<string>([nonEmpty(cli.stack), "cli"], [nonEmpty(env.SERA_STACK), "env"], [DEFAULT_STACK, "default"]) as Sourced<string>,
    coldStartTimeout: first<number>([cli.coldStartTimeout, "cli"], [DEFAULT_COLD_START_TIMEOUT_S, "default"]) as Sourced<number>,
  };
}
