// The upstream (vLLM behind Modal or any OpenAI-compatible server): URLs, auth headers, and the cold-start policy —
// connection failures and 502/503/504 before the first byte are retried until a deadline, because a Modal endpoint
// scaling up from zero refuses or answers 5xx for minutes. Anything else is the final answer.
import type { ColdStartOptions, UpstreamConfig } from "./config.ts";
import { ProxyError, fromUpstreamStatus } from "./errors.ts";
import type { Transport, UpstreamResponse } from "./transport.ts";

export interface UpstreamUrls { chat: string; models: string; tokenize: string }

/** Accepts …/v1, …/v1/, …/v1/chat/completions or a bare origin. vLLM serves /tokenize outside /v1. */
export function upstreamUrls(baseUrl: string): UpstreamUrls {
  let base = baseUrl.trim().replace(/\/+$/, "");
  base = base.replace(/\/chat\/completions$/, "");
  const root = base.replace(/\/v1$/, "");
  const v1 = base.endsWith("/v1") ? base : `${root}/v1`;
  return { chat: `${v1}/chat/completions`, models: `${v1}/models`, tokenize: `${root}/tokenize` };
}

export function upstreamHeaders(u: UpstreamConfig): Record<string, string> {
  const h: Record<string, string> = { "content-type": "application/json" };
  if (u.apiKey) h.authorization = `Bearer ${u.apiKey}`;
  if (u.modalKey) h["modal-key"] = u.modalKey;
  if (u.modalSecret) h["modal-secret"] = u.modalSecret;
  return h;
}

const RETRYABLE = new Set([502, 503, 504]);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal.removeEventListener("abort", done); resolve(); }
    signal.addEventListener("abort", done, { once: true });
  });
}

export interface PostOptions {
  readonly transport: Transport;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly signal: AbortSignal;
  readonly coldStart: ColdStartOptions;
  /** called before each retry (logging) */
  readonly onRetry?: (attempt: number, why: string) => void;
}

export type Posted = { ok: true; res: UpstreamResponse } | { ok: false; status: number; text: string };

/** POSTs with the cold-start retry. Resolves with a 2xx response or a final HTTP error; throws ProxyError when the
 *  deadline passes without an answer, or "aborted" when the client went away. */
export async function postWithColdStart(o: PostOptions): Promise<Posted> {
  const deadline = Date.now() + o.coldStart.deadlineMs;
  let attempt = 0;
  let last = "";
  for (;;) {
    attempt++;
    if (o.signal.aborted) throw new ProxyError("api_error", "client disconnected");
    try {
      const res = await o.transport(o.url, { method: "POST", headers: o.headers, body: o.body, signal: o.signal });
      if (res.ok) return { ok: true, res };
      const text = await res.text().catch(() => "");
      if (!RETRYABLE.has(res.status)) return { ok: false, status: res.status, text };
      last = `HTTP ${res.status}`;
    } catch (err) {
      if (o.signal.aborted) throw new ProxyError("api_error", "client disconnected");
      last = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name ?? "connection failed";
    }
    if (Date.now() + o.coldStart.retryDelayMs > deadline) {
      if (last.startsWith("HTTP ")) throw fromUpstreamStatus(Number(last.slice(5)), "");
      throw new ProxyError("overloaded_error", `upstream endpoint unreachable (${last}); it may still be starting`);
    }
    o.onRetry?.(attempt, last);
    await sleep(o.coldStart.retryDelayMs, o.signal);
  }
}
