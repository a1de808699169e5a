// A stub vLLM OpenAI server that answers the way vLLM 0.33's OpenAIServingChat does, for tests and the proxy benchmark.
// What it sends is checked against tests/fixtures/vllm/ — recorded from vLLM's own server code and parsers by
// tests/vllm/record-fixtures.py (`npm run vllm-fixtures`): a `{ fixture }` reply replays a recording byte for byte,
// the synthetic replies below produce chunks of the same shapes (tests/runtime/vllm-stub-fidelity.test.ts).
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
//   { fixture: "coder-tool-call" }  — replays tests/fixtures/vllm/<name>.sse (stream) or <name>.json exactly
//   { error: { status, message, type? } }  — vLLM's error body {"error":{message,type,param,code}}
//   Reasoning is sent as `reasoning` deltas (vLLM 0.33 with a --reasoning-parser), or inline as <think>…</think> in
//   the content when options.inlineThink is set (no reasoning parser).
//
// Options
//   toolParser: "hermes" (default) | "qwen3_coder" | null — the server's --tool-call-parser (see toolCallChunks)
//   reasoningParser: the server has a --reasoning-parser (usage then counts reasoning_tokens)
//   reasoningField: "reasoning" (default, vLLM 0.33) | "reasoning_content" (older releases)
//   tokenChars: characters per streamed delta (default 4 ≈ one token)
//   maxModelLen: enables vLLM 0.33's length rules (prompt tokens ≈ chars/4 of the messages and tools): max_tokens
//     above the window and a prompt above it are 400s, a prompt that fills it exactly leaves max_tokens 0 (a 400), and
//     prompt + max_tokens over the window is not an error: max_tokens is clamped to the room (finish "length")
//   apiKey: require Authorization: Bearer (vLLM --api-key → 401 {"error":"Unauthorized"})
//   model: served model name (default "stub-model"); other names get vLLM's 404
//   cold: { requests?: n, untilMs?: epoch ms } — answer 503 like a Modal endpoint still scaling from zero
//   fault(n, req): "500" | { drop: afterChunks } | { slowMs } | { midStreamError: afterChunks } | undefined
//   chunkDelayMs: pause between chunks (default 0: all chunks written at once)
import { Hono } from "hono";
import { serve } from "@hono/node-server";
import { existsSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/** Where the recordings of vLLM's own server live (tests/vllm/record-fixtures.py writes them). */
export const VLLM_FIXTURES_DIR = join(import.meta.dirname, "..", "fixtures", "vllm");

export interface StubToolCall { name: string; arguments: Record<string, unknown> }
export type StubReply =
  | { text?: string; reasoning?: string; toolCalls?: StubToolCall[]; finish?: "stop" | "length" | "tool_calls"; stopString?: string }
  | { fixture: string }
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
  toolParser?: "hermes" | "qwen3_coder" | null;
  reasoningParser?: boolean;
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

/** vLLM's error body (ErrorResponse as vLLM 0.33 serializes it: vllm/entrypoints/serve/engine/protocol.py). */
export function vllmError(status: number, message: string, type: string, param: string | null = null): string {
  return JSON.stringify({ error: { message, type, param, code: status } });
}

/** Prompt length as the stub "tokenizes" it: chars/4 of messages + tools. */
export function stubPromptTokens(req: Pick<ChatRequestSeen, "messages" | "tools">): number {
  return Math.ceil((JSON.stringify(req.messages).length + (req.tools ? JSON.stringify(req.tools).length : 0)) / 4);
}

export interface LengthVerdict { error?: { message: string; param: string }; maxTokens: number }

/** vLLM 0.33's length rules for a chat request, in its order (fixtures: tests/fixtures/vllm/errors.json):
 *  - TokenizeParams: max_tokens > max_model_len → "max_tokens=N cannot be greater than max_model_len=L. …";
 *  - renderer _token_len_check: prompt > L → "… your prompt contains at least L+1 input tokens …" (the tokenizer
 *    stops at L+1 tokens, so that is the count vLLM reports however long the prompt is);
 *  - get_max_tokens: max_tokens = min(requested, L − prompt), silently; when that is 0 SamplingParams rejects it.
 *  VLLMValidationError appends "(parameter=…, value=…)" to the message. */
export function vllmLengthCheck(maxModelLen: number, prompt: number, maxTokens: number | undefined): LengthVerdict {
  const fail = (message: string, param: string, value: number): LengthVerdict =>
    ({ error: { message: `${message} (parameter=${param}, value=${value})`, param }, maxTokens: 0 });
  if (maxTokens !== undefined && maxTokens > maxModelLen) {
    return fail(`max_tokens=${maxTokens} cannot be greater than max_model_len=${maxModelLen}. Please request fewer output tokens.`, "max_tokens", maxTokens);
  }
  if (prompt > maxModelLen) {
    return fail(
      `This model's maximum context length is ${maxModelLen} tokens. However, your prompt contains at least ${maxModelLen + 1} input tokens, ` +
        "which exceeds this limit even without any output tokens. Please reduce the length of the input prompt.",
      "input_tokens", maxModelLen + 1);
  }
  const room = Math.min(maxTokens ?? Infinity, maxModelLen - prompt);
  if (room < 1) return fail(`max_tokens must be at least 1, got ${room}.`, "max_tokens", room);
  return { maxTokens: room };
}

/** vLLM 0.33's 404 text for a model it does not serve (errors.json "unknown-model"). */
export function unknownModelMessage(requested: string, served: string): string {
  return `The model \`${requested}\` does not exist. Valid aliases: ${served}.`;
}

/** The fixed system_fingerprint the recordings carry (vllm-<version>-<config hash>, hash normalised). */
export const STUB_FINGERPRINT = "vllm-0.33.0-00000000";

/** A recording of vLLM's server: the .sse body split into its `data: …\n\n` frames, or the .json body. */
export function readVllmFixture(name: string, kind: "sse" | "json"): string[] {
  const file = join(VLLM_FIXTURES_DIR, `${name}.${kind}`);
  if (!existsSync(file)) throw new Error(`vllm stub: no recorded fixture ${name}.${kind} in ${VLLM_FIXTURES_DIR}`);
  const text = readFileSync(file, "utf8");
  return kind === "json" ? [text] : text.split(/(?<=\n\n)/);
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
// 16 hex digits, like vLLM's random ids
const hex = () => (++idCounter).toString(16).padStart(8, "0") + Math.random().toString(16).slice(2, 10).padEnd(8, "0");

type Delta = Record<string, unknown>;

/** Tool-call deltas as vLLM 0.33's parsers stream them (tests/fixtures/vllm/{coder,sera}-tool-call*.sse):
 *  a header {id,type,index,function:{name}}, then the argument JSON (Python json.dumps separators) in fragments,
 *  all before the finish chunk. hermes streams the model's own JSON text and puts "content": null in each delta;
 *  qwen3_coder converts <parameter=…> tags, so its first fragment is `{"key": "` and a value's closing quote
 *  travels with the next key. */
export function toolCallChunks(calls: StubToolCall[], parser: "hermes" | "qwen3_coder", tokenChars: number): Delta[] {
  const deltas: Delta[] = [];
  const extra = parser === "hermes" ? { content: null } : {};
  calls.forEach((call, index) => {
    const id = `chatcmpl-tool-${hex()}`;
    deltas.push({ ...extra, tool_calls: [{ id, type: "function", index, function: { name: call.name } }] });
    const args = pyJson(call.arguments);
    for (const p of pieces(args, tokenChars)) deltas.push({ ...extra, tool_calls: [{ index, function: { arguments: p } }] });
  });
  return deltas;
}

interface GenOptions {
  model: string; tokenChars: number; reasoningField: "reasoning" | "reasoning_content"; inlineThink?: boolean;
  toolParser: "hermes" | "qwen3_coder" | null; reasoningParser: boolean;
}
type SyntheticReply = Extract<StubReply, { text?: string }>;

/** The scripted reply as vLLM's parsers would deliver it: one delta per "token" (tokenChars characters). */
function replyDeltas(reply: SyntheticReply, g: GenOptions): Delta[] {
  const text = g.inlineThink && reply.reasoning ? `<think>\n${reply.reasoning}\n</think>\n\n${reply.text ?? ""}` : reply.text ?? "";
  const reasoning = g.inlineThink ? "" : reply.reasoning ?? "";
  return [
    ...pieces(reasoning, g.tokenChars).map((p) => ({ [g.reasoningField]: p })),
    ...pieces(text, g.tokenChars).map((p) => ({ content: p })),
    ...toolCallChunks(reply.toolCalls ?? [], g.toolParser ?? "hermes", g.tokenChars),
  ];
}

/** finish_reason and stop_reason; a window-clamped max_tokens the reply does not fit in ends it with "length". */
function finishOf(reply: SyntheticReply, deltas: number, budget: number) {
  if (deltas > budget) return { finish: "length" as const, stop: null, kept: budget };
  return { finish: reply.finish ?? (reply.toolCalls?.length ? "tool_calls" as const : "stop" as const), stop: reply.stopString ?? null, kept: deltas };
}

/** A streamed answer framed as vLLM 0.33 frames it (tests/fixtures/vllm/*.sse): the role chunk, one chunk per token,
 *  the finish chunk (carrying the last token when generation was cut: length, a stop string; else the EOS token's
 *  empty delta — {} behind a tool parser, {"content":""} otherwise), the usage chunk, [DONE]. */
export function streamFrames(reply: SyntheticReply, prompt: number, budget: number, includeUsage: boolean, g: GenOptions): string[] {
  const id = `chatcmpl-${hex()}${hex()}`;
  const created = Math.floor(Date.now() / 1000);
  const head = { id, object: "chat.completion.chunk", created, model: g.model };
  const frame = (o: Record<string, unknown>) => `data: ${JSON.stringify({ ...head, ...o })}\n\n`;
  const all = replyDeltas(reply, g);
  const f = finishOf(reply, all.length, budget);
  const cut = f.kept < all.length || f.stop !== null;
  const deltas = all.slice(0, f.kept);
  const last = cut && deltas.length ? deltas.pop()! : g.toolParser ? {} : { content: "" };
  const frames = [frame({ choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }], prompt_token_ids: null, prompt_text: null })];
  for (const d of deltas) frames.push(frame({ choices: [{ index: 0, delta: d, logprobs: null, finish_reason: null, token_ids: null }], kv_transfer_params: null }));
  const finishChoice = { index: 0, delta: last, logprobs: null, finish_reason: f.finish, stop_reason: f.stop, token_ids: null, weight_versions: null };
  frames.push(frame({ choices: [finishChoice], ...(includeUsage ? {} : { system_fingerprint: STUB_FINGERPRINT }), kv_transfer_params: null }));
  if (includeUsage) frames.push(frame({ choices: [], usage: usageOf(reply, prompt, f.kept + (cut ? 0 : 1), g, false), system_fingerprint: STUB_FINGERPRINT }));
  frames.push("data: [DONE]\n\n");
  return frames;
}

function usageOf(reply: SyntheticReply, prompt: number, completion: number, g: GenOptions, full: boolean) {
  const reasoningTokens = g.inlineThink ? 0 : Math.min(completion, pieces(reply.reasoning ?? "", g.tokenChars).length);
  return {
    prompt_tokens: prompt, total_tokens: prompt + completion, completion_tokens: completion,
    ...(full ? { prompt_tokens_details: null } : {}),
    ...(g.reasoningParser ? { completion_tokens_details: { reasoning_tokens: reasoningTokens } } : full ? { completion_tokens_details: null } : {}),
  };
}

/** A non-streamed chat.completion as vLLM 0.33 serializes it (tests/fixtures/vllm/*.json). */
export function completionBody(reply: SyntheticReply, prompt: number, budget: number, g: GenOptions): Record<string, unknown> {
  const all = replyDeltas(reply, g);
  const f = finishOf(reply, all.length, budget);
  const kept = all.slice(0, f.kept);
  const join = (k: string) => kept.map((d) => d[k] ?? "").join("");
  const calls = new Map<number, { id: string; type: string; function: { name: string; arguments: string } }>();
  for (const d of kept) {
    for (const t of (d.tool_calls ?? []) as Array<{ index: number; id?: string; function: { name?: string; arguments?: string } }>) {
      const c = calls.get(t.index) ?? { id: t.id ?? "", type: "function", function: { name: t.function.name ?? "", arguments: "" } };
      c.function.arguments += t.function.arguments ?? "";
      calls.set(t.index, c);
    }
  }
  // unstreamed, the tool parser returns the text before the first call without its trailing newline
  const content = calls.size ? join("content").replace(/\s+$/, "") : join("content");
  const message: Record<string, unknown> = { role: "assistant", content: content || (calls.size ? null : ""), refusal: null, annotations: null, audio: null, function_call: null };
  if (calls.size) message.tool_calls = [...calls.values()];
  message[g.reasoningField] = join(g.reasoningField) || null;
  return {
    id: `chatcmpl-${hex()}${hex()}`, object: "chat.completion", created: Math.floor(Date.now() / 1000), model: g.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: f.finish, stop_reason: f.stop, token_ids: null, routed_experts: null, weight_versions: null }],
    service_tier: null, system_fingerprint: STUB_FINGERPRINT,
    usage: usageOf(reply, prompt, f.kept + (f.kept < all.length || f.stop !== null ? 0 : 1), g, true),
    prompt_logprobs: null, prompt_token_ids: null, prompt_text: null, kv_transfer_params: null, ec_transfer_params: null, metrics: null,
  };
}

export function createVllmStub(opts: VllmStubOptions = {}): VllmStub {
  const model = opts.model ?? "stub-model";
  const tokenChars = opts.tokenChars ?? 4;
  const reasoningField = opts.reasoningField ?? "reasoning";
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
      return c.body(vllmError(404, unknownModelMessage(String(req.model), model), "NotFoundError", "model"), 404, { "content-type": "application/json" });
    }
    const prompt = stubPromptTokens(req);
    let budget = Infinity;
    if (opts.maxModelLen !== undefined) {
      const v = vllmLengthCheck(opts.maxModelLen, prompt, req.max_tokens);
      if (v.error) return c.body(vllmError(400, v.error.message, "BadRequestError", v.error.param), 400, { "content-type": "application/json" });
      budget = v.maxTokens;
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
    let frames: string[];
    if ("fixture" in reply) {
      if (!req.stream) return c.body(readVllmFixture(reply.fixture, "json")[0], 200, { "content-type": "application/json" });
      frames = readVllmFixture(reply.fixture, "sse");
    } else {
      const gen = { model, tokenChars, reasoningField, inlineThink: opts.inlineThink, toolParser: opts.toolParser === undefined ? "hermes" as const : opts.toolParser, reasoningParser: opts.reasoningParser ?? false };
      if (!req.stream) return c.json(completionBody(reply, prompt, budget, gen));
      frames = streamFrames(reply, prompt, budget, req.stream_options?.include_usage === true, gen);
    }

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
