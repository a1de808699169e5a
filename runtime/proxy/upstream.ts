// The upstream (vLLM behind Modal or any OpenAI-compatible server): URLs, auth headers, and the cold-start policy —
// refused connections and 502/503/504 before the first byte are retried until a deadline, because a Modal endpoint
// scaling up from zero refuses or answers 5xx for minutes. A connection that is accepted and then reset (or closed
// without an answer) is not a cold start: it is retried a few times, then answered as an error, so the client is not
// kept waiting for the whole deadline. Anything else is the final answer.
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
/** The server accepted the connection and dropped it before answering. node:http says ECONNRESET ("socket hang up"
 *  for a close without a response); undici's fetch says UND_ERR_SOCKET ("other side closed"). */
const DROPPED = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);

/** The error code of a failed request: node:http puts it on the error, fetch on its cause. */
export function failureCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = typeof e?.code === "string" ? e.code : typeof e?.cause?.code === "string" ? e.cause.code : undefined;
  return code;
}

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
 *  deadline passes without an answer, when the upstream dropped the connection more than `resetRetries` times,
 *  or "client disconnected" when the client went away. */
export async function postWithColdStart(o: PostOptions): Promise<Posted> {
  const deadline = Date.now() + o.coldStart.deadlineMs;
  let attempt = 0;
  let drops = 0;
  let retriedStale = false;
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
      const code = failureCode(err);
      last = code ?? (err as Error).name ?? "connection failed";
      if (code !== undefined && DROPPED.has(code)) {
        // a keep-alive socket the server had already closed is the client's race, not the server's answer: once more at once
        if ((err as { reusedSocket?: boolean }).reusedSocket === true && !retriedStale) {
          retriedStale = true;
          o.onRetry?.(attempt, `${code} on a reused connection`);
          continue;
        }
        if (++drops > o.coldStart.resetRetries) {
          throw new ProxyError("api_error", `upstream endpoint closed the connection without answering (${code}, ${drops} times)`);
        }
      }
    }
    if (Date.now() + o.coldStart.retryDelayMs > deadline) {
      if (last.startsWith("HTTP ")) throw fromUpstreamStatus(Number(last.slice(5)), "");
      throw new ProxyError("overloaded_error", `upstream endpoint unreachable (${last}); it may still be starting`);
    }
    o.onRetry?.(attempt, last);
    await sleep(o.coldStart.retryDelayMs, o.signal);
  }
}
