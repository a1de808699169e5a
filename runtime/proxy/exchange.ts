// One upstream exchange for a translated request: cold-start retry (upstream.ts), then the context-length policy —
// if vLLM says max_tokens does not fit, retry once with max_tokens fitted to vLLM's own numbers (vLLM 0.33 names
// only the window: asking for the window is enough, it clamps to window − prompt itself); if the prompt alone fills
// the window, the answer is a message asking the user to /compact.
import type { ColdStartOptions } from "./config.ts";
import { compactMessage, MIN_COMPLETION_ROOM, parseContextOverflow } from "./context.ts";
import { fromUpstreamStatus, ProxyError, upstreamMessage } from "./errors.ts";
import type { OpenAIChatRequest, OpenAICompletion } from "./types.ts";
import { postWithColdStart } from "./upstream.ts";
import type { Transport, UpstreamResponse } from "./transport.ts";

export interface ExchangeOptions {
  readonly transport: Transport;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly coldStart: ColdStartOptions;
  readonly signal: AbortSignal;
  readonly onRetry?: (attempt: number, why: string) => void;
  /** the request as JSON text (default JSON.stringify; the proxy's cached serializer, translate/serialize.ts) */
  readonly serialize?: (req: OpenAIChatRequest) => string;
}

export type Exchanged =
  | { kind: "response"; res: UpstreamResponse; maxTokens: number }
  | { kind: "compact"; text: string };

/** Serializes the request and starts the exchange. Synchronous on purpose: the translated request (~100 KB of
 *  objects, holding the parsed body's strings) is not kept while the upstream works — only its JSON text is, which
 *  retries need. A suspended async function keeps its parameters alive, and at high concurrency that kept every
 *  waiting request's objects into V8's old generation (peak RSS, PERFORMANCE.md, fifth pass). */
export function exchange(req: OpenAIChatRequest, o: ExchangeOptions): Promise<Exchanged> {
  try {
    return exchangeText(serializerOf(o)(req), req.max_tokens, o);
  } catch (err) {
    return Promise.reject(err);
  }
}

const serializerOf = (o: ExchangeOptions) => o.serialize ?? JSON.stringify;

async function exchangeText(body: string, maxTokens: number, o: ExchangeOptions): Promise<Exchanged> {
  for (let round = 0; ; round++) {
    const r = await postWithColdStart({ ...o, body });
    if (r.ok) return { kind: "response", res: r.res, maxTokens };
    if (r.status === 400) {
      const overflow = parseContextOverflow(upstreamMessage(r.text) ?? "");
      if (overflow) {
        if (overflow.kind === "prompt" || round > 0) return { kind: "compact", text: compactMessage(overflow) };
        const room = overflow.maxModelLen - (overflow.promptTokens ?? 0);
        if (room < MIN_COMPLETION_ROOM) return { kind: "compact", text: compactMessage(overflow) };
        maxTokens = Math.min(maxTokens, room);
        // rare: the request again from its own text, with the fitted max_tokens
        body = serializerOf(o)({ ...(JSON.parse(body) as OpenAIChatRequest), max_tokens: maxTokens });
        o.onRetry?.(round + 1, `context overflow: max_tokens → ${maxTokens}`);
        continue;
      }
    }
    throw fromUpstreamStatus(r.status, r.text);
  }
}

/** The unstreamed answer: a connection that closes mid-body, or a 200 whose body is not JSON, is the upstream's
 *  failure and is said so (not the generic "internal proxy error" of a bug). */
export async function readCompletion(res: UpstreamResponse): Promise<OpenAICompletion> {
  let text: string;
  try {
    text = await res.text();
  } catch {
    throw new ProxyError("api_error", "upstream closed the connection before its answer was complete");
  }
  try {
    return JSON.parse(text) as OpenAICompletion;
  } catch {
    throw new ProxyError("api_error", "upstream answered HTTP 200 with a body that is not JSON");
  }
}
