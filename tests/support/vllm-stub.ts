// A stub vLLM OpenAI server that answers the way vLLM's serving_chat does (vllm/entrypoints/openai/serving_chat.py,
// chunks serialized with model_dump_json(exclude_unset=True)), for tests and the proxy benchmark.
//
// API
//   const stub = createVllmStub({ reply: (req, n) => ({ text: "hi" }) , ...options });
//   stub.fetch        — a fetch function served in-process (pass it as the proxy's `fetch`; no socket)
//   stub.listen()     — the same app on 127.0.0.1:<random>  → { url: "http://127.0.0.1:PORT/v1", close() }
//   stub.requests     — every chat request body received (parsed), in order
//   stub.aborted      — how many chat requests were aborted by the client (proxy) before their end
//   stub.inFlight     — chat requests currently being answered
//
// Reply (what the scripted model "generates" for one request), from options.reply(request, n) (n = 0, 1, …):
//   { text?, reasoning?, toolCalls?: [{ name, arguments: object }], finish?: "stop"|"length"|"tool_calls",
//     stopString?: string (a matched stop sequence → finish "stop", stop_reason: the string) }
//   { error: { status, message, type? } }  — vLLM's error body {"error":{message,type,param,code}}
//   Reasoning is sent as `reasoning_content` deltas (a --reasoning-parser), or inline as <think>…</think> in the
//   content when options.inlineThink is set (no reasoning parser).
//
// Options
//   toolParser: "hermes" (default) | "qwen3_coder" — how tool-call deltas are fragmented (see toolCallChunks)
//   reasoningField: "reasoning_content" (default) | "reasoning" (newer vLLM)
//   tokenChars: characters per streamed delta (default 4 ≈ one token)
//   maxModelLen: enables vLLM's context-length errors (prompt tokens ≈ chars/4 of the messages and tools)
//   apiKey: require Authorization: Bearer (vLLM --api-key → 401 {"error":"Unauthorized"})
//   model: served model name (default "stub-model"); other names get vLLM's 404
//   cold: { requests?: n, untilMs?: epoch ms } — answer 503 like a Modal endpoint still scaling from zero
//   fault(n, req): "500" | { drop: afterChunks } | { slowMs } | { midStreamError: afterChunks } | undefined
//   chunkDelayMs: pause between chunks (default 0: all chunks written at once)
import { Hono } from "hono";
import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";

export interface StubToolCall { name: string; arguments: Record<string, unknown> }
export type StubReply =
  | { text?: string; reasoning?: string; toolCalls?: StubToolCall[]; finish?: "stop" | "length" | "tool_calls"; stopString?: string }
  | { error: { status: number; message: string; type?: string } };
export type StubFault = "500" | { drop: number } | { slowMs: number } | { midStreamError: number };

export interface ChatRequestSeen {
  model: string;
  messages: Array<Record<string, unknown>>;
  tools?: Array<{ type: string; function: { name: string; description?: string; parameters: unknown } }>;
  tool_choice?: unknown;
  max_tokens?: number;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  stop?: string[];
  [k: string]: unknown;
}

export interface VllmStubOptions {
  reply?: (req: ChatRequestSeen, n: number) => StubReply;
  toolParser?: "hermes" | "qwen3_coder";
  reasoningField?: "reasoning_content" | "reasoning";
  inlineThink?: boolean;
  tokenChars?: number;
  maxModelLen?: number;
  apiKey?: string;
  model?: string;
  cold?: { requests?: number; untilMs?: number };
  fault?: (n: number, req: ChatRequestSeen) => StubFault | undefined;
  chunkDelayMs?: number;
}

export interface VllmStub {
  app: Hono;
  fetch: typeof fetch;
  requests: ChatRequestSeen[];
  readonly aborted: number;
  readonly inFlight: number;
  listen(): Promise<{ url: string; port: number; close(): Promise<void> }>;
}

/** vLLM's error body (vllm/entrypoints/openai/protocol.py ErrorResponse, current releases). */
export function vllmError(status: number, message: string, type: string): string {
  return JSON.stringify({ error: { message, type, param: null, code: status } });
}

/** Prompt length as the stub "tokenizes" it: chars/4 of messages + tools. */
export function stubPromptTokens(req: Pick<ChatRequestSeen, "messages" | "tools">): number {
  return Math.ceil((JSON.stringify(req.messages).length + (req.tools ? JSON.stringify(req.tools).length : 0)) / 4);
}

/** vLLM's context-length messages (serving_engine _validate_input): prompt alone too long / prompt + max_tokens. */
export function contextLengthMessage(maxModelLen: number, prompt: number, maxTokens: number | undefined): string {
  if (maxTokens === undefined || prompt >= maxModelLen) {
    return `This model's maximum context length is ${maxModelLen} tokens. However, your request has ${prompt} input tokens. Please reduce the length of the input messages.`;
  }
  return `'max_tokens' or 'max_completion_tokens' is too large: ${maxTokens}. This model's maximum context length is ${maxModelLen} tokens and your request has ${prompt} input tokens (${maxTokens} > ${maxModelLen} - ${prompt}).`;
}

function pieces(s: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += n) out.push(s.slice(i, i + n));
  return out;
}

/** Python json.dumps default separators (", ", ": "), as vLLM's parsers produce argument text. */
export function pyJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pyJson).join(", ")}]`;
  return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${pyJson(x)}`).join(", ")}}`;
}

let idCounter = 0;
const hex = () => (++idCounter).toString(16).padStart(8, "0") + Math.random().toString(16).slice(2, 10).padEnd(8, "0");

type Delta = Record<string, unknown>;

/** Tool-call deltas as vLLM's parsers stream them.
 *  hermes: header {id,type,index,function:{name}}, then argument text in fragments; the parser streams partial-JSON
 *  diffs, and the closing `"}` arrives with the finish chunk ("unstreamed tool arg tokens" path).
 *  qwen3_coder: header with arguments "", then "{", then one `"key": value` fragment per parameter, then "}". */
export function toolCallChunks(calls: StubToolCall[], parser: "hermes" | "qwen3_coder", tokenChars: number): { deltas: Delta[]; tail?: Delta } {
  const deltas: Delta[] = [];
  let tail: Delta | undefined;
  calls.forEach((call, index) => {
    const id = `chatcmpl-tool-${hex()}${hex()}`;
    const args = pyJson(call.arguments);
    if (parser === "hermes") {
      deltas.push({ tool_calls: [{ id, type: "function", index, function: { name: call.name } }] });
      const body = args.length > 2 ? args.slice(0, -2) : args;
      for (const p of pieces(body, tokenChars * 3)) deltas.push({ tool_calls: [{ index, function: { arguments: p } }] });
      const last = args.length > 2 ? args.slice(-2) : "";
      if (index === calls.length - 1 && last) tail = { tool_calls: [{ index, function: { arguments: last } }] };
      else if (last) deltas.push({ tool_calls: [{ index, function: { arguments: last } }] });
    } else {
      deltas.push({ tool_calls: [{ index, id, type: "function", function: { name: call.name, arguments: "" } }] });
      deltas.push({ tool_calls: [{ index, function: { arguments: "{" } }] });
      Object.entries(call.arguments).forEach(([k, v], i) => {
        deltas.push({ tool_calls: [{ index, function: { arguments: `${i > 0 ? ", " : ""}${JSON.stringify(k)}: ${pyJson(v)}` } }] });
      });
      deltas.push({ tool_calls: [{ index, function: { arguments: "}" } }] });
    }
  });
  return { deltas, tail };
}

export function createVllmStub(opts: VllmStubOptions = {}): VllmStub {
  const model = opts.model ?? "stub-model";
  const tokenChars = opts.tokenChars ?? 4;
  const reasoningField = opts.reasoningField ?? "reasoning_content";
  const requests: ChatRequestSeen[] = [];
  let aborted = 0;
  let inFlight = 0;
  let coldServed = 0;
  const app = new Hono();

  const authFails = (h: string | undefined) => opts.apiKey !== undefined && h !== `Bearer ${opts.apiKey}`;
  const isCold = () => {
    if (opts.cold?.untilMs !== undefined && Date.now() < opts.cold.untilMs) return true;
    if (opts.cold?.requests !== undefined && coldServed < opts.cold.requests) { coldServed++; return true; }
    return false;
  };

  app.get("/health", (c) => c.body(null, 200));
  app.get("/v1/models", (c) => {
    if (authFails(c.req.header("authorization"))) return c.json({ error: "Unauthorized" }, 401);
    return c.json({ object: "list", data: [{ id: model, object: "model", created: 1_700_000_000, owned_by: "vllm", root: model, parent: null, max_model_len: opts.maxModelLen ?? 32768 }] });
  });
  app.post("/tokenize", async (c) => {
    if (isCold()) return c.text("503 Service Unavailable", 503);
    const body = (await c.req.json()) as ChatRequestSeen;
    const count = stubPromptTokens(body);
    return c.json({ count, max_model_len: opts.maxModelLen ?? 32768, tokens: Array.from({ length: Math.min(count, 8) }, (_, i) => i) });
  });

  app.post("/v1/chat/completions", async (c) => {
    if (isCold()) return c.text("503 Service Unavailable: the app is starting", 503);
    if (authFails(c.req.header("authorization"))) return c.json({ error: "Unauthorized" }, 401);
    const req = (await c.req.json()) as ChatRequestSeen;
    const n = requests.length;
    requests.push(req);
    if (req.model !== model) {
      return c.body(vllmError(404, `The model \`${req.model}\` does not exist.`, "NotFoundError"), 404, { "content-type": "application/json" });
    }
    const prompt = stubPromptTokens(req);
    if (opts.maxModelLen !== undefined && prompt + (req.max_tokens ?? 0) > opts.maxModelLen) {
      return c.body(vllmError(400, contextLengthMessage(opts.maxModelLen, prompt, req.max_tokens), "BadRequestError"), 400, { "content-type": "application/json" });
    }
    const fault = opts.fault?.(n, req);
    if (fault === "500") {
      return c.body(vllmError(500, "EngineCore encountered an issue. See stack trace (above) for the root cause.", "InternalServerError"), 500, { "content-type": "application/json" });
    }
    const signal = c.req.raw.signal;
    if (typeof fault === "object" && "slowMs" in fault) {
      await new Promise<void>((res) => { const t = setTimeout(res, fault.slowMs); signal.addEventListener("abort", () => { clearTimeout(t); res(); }, { once: true }); });
      if (signal.aborted) { aborted++; return c.body(null, 500); }
    }
    const reply = opts.reply?.(req, n) ?? { text: "Hello from the stub." };
    if ("error" in reply) {
      const t = reply.error.type ?? (reply.error.status === 400 ? "BadRequestError" : "InternalServerError");
      return c.body(vllmError(reply.error.status, reply.error.message, t), reply.error.status as 400, { "content-type": "application/json" });
    }
    const id = `chatcmpl-${hex()}${hex()}`;
    const created = Math.floor(Date.now() / 1000);
    const text = opts.inlineThink && reply.reasoning ? `<think>\n${reply.reasoning}\n</think>\n\n${reply.text ?? ""}` : reply.text ?? "";
    const reasoning = opts.inlineThink ? "" : reply.reasoning ?? "";
    const finish = reply.finish ?? (reply.toolCalls?.length ? "tool_calls" : "stop");
    const stopReason = reply.stopString ?? null;

    if (!req.stream) {
      const completionTokens = Math.ceil((text.length + reasoning.length + pyJson(reply.toolCalls ?? []).length) / tokenChars);
      const toolCalls = (reply.toolCalls ?? []).map((t) => ({ id: `chatcmpl-tool-${hex()}${hex()}`, type: "function", function: { name: t.name, arguments: pyJson(t.arguments) } }));
      return c.json({
        id, object: "chat.completion", created, model,
        choices: [{ index: 0, message: { role: "assistant", reasoning_content: reasoning || null, content: text || (toolCalls.length ? null : ""), tool_calls: toolCalls }, logprobs: null, finish_reason: finish, stop_reason: stopReason }],
        usage: { prompt_tokens: prompt, total_tokens: prompt + completionTokens, completion_tokens: completionTokens, prompt_tokens_details: null },
        prompt_logprobs: null, kv_transfer_params: null,
      });
    }

    const frame = (choices: unknown[], extra?: Record<string, unknown>) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices, ...extra })}\n\n`;
    const choice = (delta: Delta) => ({ index: 0, delta, logprobs: null, finish_reason: null });
    const frames: string[] = [frame([choice({ role: "assistant", content: "" })])];
    for (const p of pieces(reasoning, tokenChars)) frames.push(frame([choice({ [reasoningField]: p })]));
    for (const p of pieces(text, tokenChars)) frames.push(frame([choice({ content: p })]));
    const tools = toolCallChunks(reply.toolCalls ?? [], opts.toolParser ?? "hermes", tokenChars);
    for (const d of tools.deltas) frames.push(frame([choice(d)]));
    frames.push(frame([{ index: 0, delta: tools.tail ?? (reply.toolCalls?.length ? {} : { content: "" }), logprobs: null, finish_reason: finish, stop_reason: stopReason }]));
    const completionTokens = frames.length - 2;
    if (req.stream_options?.include_usage) {
      frames.push(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage: { prompt_tokens: prompt, total_tokens: prompt + completionTokens, completion_tokens: completionTokens } })}\n\n`);
    }
    frames.push("data: [DONE]\n\n");

    const dropAt = typeof fault === "object" && "drop" in fault ? fault.drop : -1;
    const errorAt = typeof fault === "object" && "midStreamError" in fault ? fault.midStreamError : -1;
    const enc = new TextEncoder();
    const delay = opts.chunkDelayMs ?? 0;
    inFlight++;
    let done = false;
    const finishOnce = (wasAborted: boolean) => { if (done) return; done = true; inFlight--; if (wasAborted) aborted++; };
    signal.addEventListener("abort", () => finishOnce(true), { once: true });
    // pull-based: a drop errors the stream only after the client has read what came before it (erroring a web
    // stream discards its queue, which a real connection would have delivered)
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(ctl) {
        if (done) return;
        if (i === dropAt) { finishOnce(false); ctl.error(new Error("stub: connection dropped")); return; }
        if (i === errorAt) {
          ctl.enqueue(enc.encode(`data: ${vllmError(500, "stub: engine failed mid-stream", "InternalServerError")}\n\ndata: [DONE]\n\n`));
          finishOnce(false);
          ctl.close();
          return;
        }
        if (delay > 0) {
          await new Promise((r) => setTimeout(r, delay));
          if (done) return;
          ctl.enqueue(enc.encode(frames[i++]));
        } else {
          // everything up to the next fault point in one go
          const stop = Math.min(frames.length, ...[dropAt, errorAt].filter((x) => x > i));
          ctl.enqueue(enc.encode(frames.slice(i, stop).join("")));
          i = stop;
        }
        if (i >= frames.length) { finishOnce(false); ctl.close(); }
      },
      cancel() { finishOnce(true); },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream; charset=utf-8" } });
  });

  const stubFetch = ((input: string | URL | Request, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(String(input), init);
    return app.fetch(req);
  }) as typeof fetch;

  return {
    app,
    fetch: stubFetch,
    requests,
    get aborted() { return aborted; },
    get inFlight() { return inFlight; },
    listen() {
      return new Promise((resolve) => {
        const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) => {
          resolve({
            url: `http://127.0.0.1:${info.port}/v1`,
            port: info.port,
            close: () => new Promise<void>((res) => {
              server.close(() => res());
              (server as { closeAllConnections?: () => void }).closeAllConnections?.();
            }),
          });
        });
      });
    },
  };
}
