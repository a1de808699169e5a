// POST /v1/messages: validate → translate (dialect) → upstream exchange → JSON message or SSE stream.
// handleMessages is the route without a framework: the Hono route below (web streams, app.request in tests) and the
// node:http route in node-route.ts (what startProxy serves) are thin adapters around it.
import type { Context } from "hono";
import type { AppEnv, Runtime } from "../runtime.ts";
import type { DialectContext } from "../dialect.ts";
import { workingDirectoryOf } from "../context.ts";
import { invalidRequest, ProxyError } from "../errors.ts";
import { exchange, readCompletion, type Exchanged, type ExchangeOptions } from "../exchange.ts";
import { describeImages, hasImages } from "../images/describe.ts";
import { sseData, sseWriter, type SseWriter } from "../sse.ts";
import { toOpenAIRequest, wantsThinking } from "../translate/request.ts";
import { accumulate, completionToMessage } from "../translate/response.ts";
import { createStreamTranslator, type TranslatorOptions } from "../translate/stream.ts";
import { parseChunk, type UpstreamChunk } from "../translate/chunk.ts";
import { wellFormedRequest } from "../translate/well-formed.ts";
import type { AnthropicRequest, OpenAIChatRequest, OpenAIChunk, StreamEvent } from "../types.ts";
import { readJson } from "./body.ts";

function translate(req: AnthropicRequest, rt: Runtime, ctx: DialectContext): OpenAIChatRequest {
  try {
    const out = toOpenAIRequest(req, rt.dialect, ctx, { model: rt.upstream.model, maxModelLen: rt.upstream.maxModelLen });
    if (req.thinking?.type === "disabled") out.chat_template_kwargs = { enable_thinking: false };
    return out;
  } catch (err) {
    if (err instanceof ProxyError) throw err;
    if (err instanceof RangeError) throw invalidRequest("messages: nested too deeply to translate");
    throw err;
  }
}

/** A body the fast check (well-formed.ts) did not vouch for goes through the zod schema, loaded on first need: its
 *  answer is the 400 (naming the field), or the request as zod reads it. */
async function validated(body: unknown): Promise<AnthropicRequest> {
  const { validateRequest } = await import("../translate/validate.ts");
  const v = validateRequest(body);
  if (!v.ok) throw invalidRequest(v.message);
  return v.value;
}

/** The /compact answer as if the model had said it: one chunk of text, finish "stop". */
function textChunk(text: string): OpenAIChunk {
  return { id: "", object: "chat.completion.chunk", created: 0, model: "", choices: [{ index: 0, delta: { content: text }, finish_reason: "stop" }] };
}

export const SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8";

/** What a route adapter gives the handler: the client's disconnect, as a callback (no AbortSignal per request). */
export interface MessagesIO {
  readonly rt: Runtime;
  readonly requestId: string;
  /** calls `gone` once if the client disconnects; returns a function that stops watching */
  watchClient(gone: () => void): () => void;
}

/** A JSON message, or a stream the adapter runs on its SSE writer after sending the 200 headers. */
export type MessagesReply =
  | { readonly kind: "json"; readonly body: unknown }
  | { readonly kind: "stream"; readonly headers: Record<string, string>; run(out: SseWriter): Promise<void> };

export async function postMessages(c: Context<AppEnv>): Promise<Response> {
  const rt = c.get("rt");
  const signal = c.req.raw.signal;
  let gone: (() => void) | undefined; // a cancelled response body is a client that went away, too
  const reply = await handleMessages({
    rt, requestId: c.get("requestId"),
    watchClient: (cb) => {
      gone = cb;
      signal.addEventListener("abort", cb, { once: true });
      return () => { gone = undefined; signal.removeEventListener("abort", cb); };
    },
  }, await readJson(c, rt.maxBodyBytes));
  if (reply.kind === "json") return c.json(reply.body);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const out = sseWriter(controller);
      void reply.run(out).finally(() => out.close());
    },
    cancel() { gone?.(); },
  });
  return new Response(stream, { status: 200, headers: reply.headers });
}

/** Validates, translates, starts the upstream exchange; throws ProxyError for what becomes an HTTP error. */
export function handleMessages(io: MessagesIO, body: unknown): Promise<MessagesReply> {
  const started = performance.now();
  if (wellFormedRequest(body)) return begin(io, body, started);
  return validated(body).then((req) => begin(io, req, started));
}

/** What the exchange needs once it has started: nothing of the request but these few fields. The request, parsed
 *  and translated (~100 KB of objects for a Claude Code turn), is not held while the upstream works: a parameter
 *  of a suspended async function stays alive, and under load it would be promoted to V8's old generation (peak
 *  RSS, PERFORMANCE.md, fourth pass). So begin() is synchronous and answer() gets only this. */
interface Started {
  readonly started: number;
  readonly topts: Omit<TranslatorOptions, "emit">;
  readonly streaming: boolean;
  readonly pending: Promise<Exchanged>;
  readonly ac: AbortController;
  /** set once the upstream exchange is over: a client that leaves later must not abort a finished exchange */
  readonly state: { upstreamDone: boolean };
  readonly unwatch: () => void;
  log(level: "info" | "warn", msg: string, f?: Record<string, string | number | boolean | undefined>): void;
}

function begin(io: MessagesIO, req: AnthropicRequest, started: number): Promise<MessagesReply> {
  try {
    const { rt } = io;
    const ctx: DialectContext = { cwd: rt.cwd ?? workingDirectoryOf(req) };
    const upstreamReq = translate(req, rt, ctx);
    const id = `msg_${rt.newId()}`;
    const topts: Omit<TranslatorOptions, "emit"> = {
      dialect: rt.dialect, ctx, thinking: wantsThinking(req), model: req.model, messageId: id, stopSequences: req.stop_sequences,
    };
    const reqId = io.requestId;
    const streaming = upstreamReq.stream;
    const log = (level: "info" | "warn", msg: string, f: Record<string, string | number | boolean | undefined> = {}) =>
      rt.logger.log(level, msg, { requestId: reqId, dialect: rt.dialect.name, stream: streaming, ...f });

    // A client disconnect aborts the upstream request at once (frees the GPU slot) — but only while it is running:
    // aborting a finished exchange would destroy a reusable keep-alive connection.
    const ac = new AbortController();
    const state = { upstreamDone: false };
    const unwatch = io.watchClient(() => { if (!state.upstreamDone) ac.abort(); });
    const xopts: ExchangeOptions = {
      transport: rt.transport, url: rt.urls.chat, headers: rt.headers, coldStart: rt.coldStart, signal: ac.signal, serialize: rt.serialize,
      onRetry: (attempt, why) => log("warn", "upstream retry", { attempt, why }),
    };
    // A model without vision gets the VLM's description of each image first (images/describe.ts); a streaming
    // client waits for it as for a cold start, with pings.
    const pending = rt.images && hasImages(req)
      ? describeImages(req, rt.images, { signal: ac.signal, onDescribed: (f) => log("info", "image described", f) })
        .then((described) => exchange(translate(described, rt, ctx), xopts))
      : exchange(upstreamReq, xopts);
    return answer(io, { started, topts, streaming, pending, ac, state, unwatch, log });
  } catch (err) {
    return Promise.reject(err);
  }
}

async function answer(io: MessagesIO, s: Started): Promise<MessagesReply> {
  const { rt } = io;
  const { started, topts, streaming, pending, ac, state, unwatch, log } = s;
  const reqId = io.requestId;

  if (!streaming) {
    try {
      const r = await pending;
      if (r.kind === "compact") {
        const events: StreamEvent[] = [];
        const t = createStreamTranslator({ ...topts, emit: (e) => events.push(e) });
        t.start();
        t.push(textChunk(r.text));
        t.finish();
        return { kind: "json", body: accumulate(events) };
      }
      const completion = await readCompletion(r.res);
      const msg = completionToMessage(completion, topts);
      log("info", "message", { stop: msg.stop_reason ?? "", outTokens: msg.usage.output_tokens, ms: Math.round(performance.now() - started) });
      return { kind: "json", body: msg };
    } finally {
      state.upstreamDone = true;
      unwatch();
    }
  }

  // Streaming. Wait for the upstream's answer up to one ping interval so that early failures keep their HTTP
  // status; past that, commit to a 200 SSE response and keep the client alive with pings while upstream wakes up.
  let early: Exchanged | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    early = await Promise.race([
      pending,
      new Promise<undefined>((res) => { timer = setTimeout(() => res(undefined), rt.coldStart.pingIntervalMs); }),
    ]);
  } catch (err) {
    unwatch();
    throw err;
  } finally {
    clearTimeout(timer);
  }

  return {
    kind: "stream",
    headers: { "content-type": SSE_CONTENT_TYPE, "cache-control": "no-cache", "x-request-id": reqId },
    run: (out) => pump(out, early).finally(() => { state.upstreamDone = true; unwatch(); }),
  };

  /** A failure inside the translation (a dialect bug, say) is ours, not a lost connection: say so, log the detail. */
  function ours(step: () => void): void {
    try {
      step();
    } catch (err) {
      rt.logger.log("error", "translation failed", { requestId: reqId, error: (err as Error)?.name, detail: String((err as Error)?.message).slice(0, 300) });
      throw new ProxyError("api_error", "internal proxy error while translating the upstream answer");
    }
  }

  async function pump(out: SseWriter, ready: Exchanged | undefined): Promise<void> {
    const t = createStreamTranslator({ ...topts, emit: out.send.bind(out) });
    let outcome = "complete";
    try {
      // message_start first, as Anthropic orders it, then pings while the upstream wakes up
      t.start();
      if (!ready) {
        const ping = setInterval(() => { out.send({ type: "ping" }); out.flush(); }, rt.coldStart.pingIntervalMs);
        out.send({ type: "ping" });
        out.flush();
        try { ready = await pending; } finally { clearInterval(ping); }
      }
      if (ready.kind === "compact") {
        t.push(textChunk(ready.text));
        t.finish();
        outcome = "compact";
        return;
      }
      // message_start goes out with the first upstream read when that is already here (one write, not two); an
      // upstream that has sent its headers but not yet a token (prefill) gets it at the end of this I/O round
      out.flush();
      // Read to the end even after [DONE]: leaving the loop early would destroy the keep-alive socket.
      let done = false;
      for await (const batch of sseData(ready.res.body)) {
        for (const data of batch) {
          if (done) continue;
          if (data === "[DONE]") { done = true; continue; }
          let chunk: UpstreamChunk;
          try {
            chunk = parseChunk(data);
          } catch {
            throw new ProxyError("api_error", "upstream sent a malformed chunk");
          }
          if (chunk.error !== undefined || (chunk.object as string) === "error") {
            const why = (typeof chunk.error === "object" ? chunk.error?.message : chunk.error) ?? chunk.message ?? "unknown";
            throw new ProxyError("api_error", `upstream failed mid-stream: ${why}`);
          }
          ours(() => t.push(chunk));
        }
        out.flush();
      }
      if (!t.finished) throw new ProxyError("api_error", "upstream stream ended before the message was complete");
      ours(() => t.finish());
    } catch (err) {
      if (ac.signal.aborted) { outcome = "client-aborted"; return; }
      // A finish_reason already arrived: only the trailing usage chunk or [DONE] was lost; the message is whole.
      if (t.finished && !(err instanceof ProxyError)) { t.finish(); outcome = "complete-after-drop"; return; }
      const e = err instanceof ProxyError ? err : new ProxyError("api_error", "upstream connection lost mid-stream");
      outcome = `error:${e.type}`;
      out.send({ type: "error", error: { type: e.type, message: e.message } });
    } finally {
      log(outcome.startsWith("error") ? "warn" : "info", "stream", { outcome, ms: Math.round(performance.now() - started) });
    }
  }
}
