// Options of one proxy instance. Everything the app needs arrives here (no module state, no env reads).
import type { Dialect } from "./dialect.ts";
import type { ImageDescriber } from "./images/describe.ts";
import type { Logger } from "./log.ts";

export interface UpstreamConfig {
  /** vLLM's OpenAI base (…/v1) or the full …/v1/chat/completions URL. */
  readonly baseUrl: string;
  /** sent as Authorization: Bearer (vLLM --api-key) */
  readonly apiKey?: string;
  /** Modal proxy auth: sent as Modal-Key / Modal-Secret */
  readonly modalKey?: string;
  readonly modalSecret?: string;
  /** upstream model name; when absent the client's model name is passed through */
  readonly model?: string;
  /** the endpoint's context window (vLLM --max-model-len): max_tokens is clamped to fit it */
  readonly maxModelLen?: number;
}

export interface ColdStartOptions {
  /** how long to keep retrying connects and 5xx before the first upstream byte (a Modal endpoint scaling from zero) */
  readonly deadlineMs: number;
  /** interval of SSE `ping` events sent to a streaming client while waiting */
  readonly pingIntervalMs: number;
  /** pause between attempts */
  readonly retryDelayMs: number;
  /** how often a connection the upstream accepted and then reset (or closed unanswered) is retried before the
   *  client gets an error; such an upstream is broken, not starting, so it does not get the deadline */
  readonly resetRetries: number;
}

export interface ProxyDeps {
  readonly upstream: UpstreamConfig;
  readonly dialect: Dialect;
  /** injected for tests (a stub vLLM's in-process fetch); by default the proxy talks node:http (transport.ts) */
  readonly fetch?: typeof fetch;
  readonly logger?: Logger;
  /** when set, clients must present it as x-api-key or Authorization: Bearer */
  readonly token?: string;
  /** Claude Code's working directory when the proxy knows it better than the request does */
  readonly cwd?: string;
  readonly coldStart?: Partial<ColdStartOptions>;
  /** request bodies above this many bytes get 413 (default 32 MiB) */
  readonly maxBodyBytes?: number;
  /** unique id source for messages and request ids (tests make it deterministic) */
  readonly newId?: () => string;
  /** set when the upstream model cannot see images: each image becomes this vision model's description */
  readonly images?: ImageDescriber;
}

export const DEFAULT_COLD_START: ColdStartOptions = { deadlineMs: 10 * 60_000, pingIntervalMs: 10_000, retryDelayMs: 2_000, resetRetries: 3 };
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
