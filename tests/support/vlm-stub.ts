// A stand-in for vLLM's OpenAI server serving Qwen3-VL-32B-Thinking on 127.0.0.1 (random port). It records every
// request and answers the way vLLM does:
// - 200 chat.completion bodies with vLLM 0.33's fields (tests/fixtures/vllm/vlm-reasoning.json, recorded from vLLM's
//   server code), the reasoning layouts the Thinking model produces (reasoning parser on → `reasoning`, or
//   `reasoning_content` as releases before 0.33 named it; parser off → "<think>…</think>answer" or the template's
//   bare "…</think>answer"), and usage whose prompt_tokens counts each image as the Qwen3-VL processor would
//   (smart_resize, 32×32 px per token, +2 vision start/end tokens);
// - vLLM's own 400s for too many images (--limit-mm-per-prompt) and vLLM 0.33's length rules (--max-model-len; the
//   bodies of tests/fixtures/vllm/errors.json): max_tokens above the window or a prompt above it are 400s, otherwise
//   max_tokens is clamped to the room and an answer longer than that ends with finish_reason "length";
// - 401 {"error":"Unauthorized"} for a wrong bearer (--api-key), Modal's plain-text 401 when proxy auth is on,
//   and 503 bodies as a cold Modal container returns them.
// It also serves image files for the URL tests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import sharp from "sharp";
import { STUB_FINGERPRINT, unknownModelMessage, vllmLengthCheck } from "./vllm-stub.ts";

export interface RecordedImage {
  readonly mimeType: string;
  readonly bytes: number;
  readonly width: number;
  readonly height: number;
  /** Visual tokens vLLM would spend on it (after its own smart_resize). */
  readonly tokens: number;
  readonly data: Buffer;
}

export interface RecordedRequest {
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: Record<string, unknown>;
  readonly images: readonly RecordedImage[];
  readonly texts: readonly string[];
}

export type Reply =
  | { kind: "answer"; layout?: "reasoning" | "reasoning_content" | "think-tags" | "bare-think"; answer?: string; reasoning?: string;
      delayMs?: number; finishReason?: string }
  | { kind: "status"; status: number; body: string; contentType?: string }
  /** Close the socket without an HTTP answer (what a restarting proxy does). */
  | { kind: "drop" }
  /** Never answer (until the stub closes). */
  | { kind: "hang" };

export interface StubOptions {
  readonly model?: string;
  /** --limit-mm-per-prompt image count. */
  readonly limitImages?: number;
  /** --max-model-len. */
  readonly maxModelLen?: number;
  /** --api-key: requests without `Authorization: Bearer <key>` get vLLM's 401. */
  readonly apiKey?: string;
  /** Modal proxy auth: requests without these Modal-Key/Modal-Secret get Modal's 401. */
  readonly modalProxy?: { readonly key: string; readonly secret: string };
}

// Qwen3-VL preprocessor defaults (preprocessor_config.json: shortest_edge 65536, longest_edge 16777216).
const FACTOR = 32;
const MIN_PIXELS = 65_536;
const MAX_PIXELS = 16_777_216;

function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

/** qwen-vl-utils smart_resize as vLLM's Qwen3-VL processor runs it (independent of the server's copy). */
export function qwenSmartResize(width: number, height: number): { width: number; height: number } {
  let h = Math.max(FACTOR, pyRound(height / FACTOR) * FACTOR);
  let w = Math.max(FACTOR, pyRound(width / FACTOR) * FACTOR);
  if (h * w > MAX_PIXELS) {
    const beta = Math.sqrt((height * width) / MAX_PIXELS);
    h = Math.floor(height / beta / FACTOR) * FACTOR;
    w = Math.floor(width / beta / FACTOR) * FACTOR;
  } else if (h * w < MIN_PIXELS) {
    const beta = Math.sqrt(MIN_PIXELS / (height * width));
    h = Math.ceil((height * beta) / FACTOR) * FACTOR;
    w = Math.ceil((width * beta) / FACTOR) * FACTOR;
  }
  return { width: w, height: h };
}

export class VlmStub {
  readonly requests: RecordedRequest[] = [];
  /** The chat.completion bodies it answered 200 with, in order. */
  readonly completions: { usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } }[] = [];
  private readonly replies: Reply[] = [];
  private readonly files = new Map<string, { body: Buffer; chunked: boolean; declaredLength?: number }>();
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private port = 0;
  /** Reply used when the queue is empty. */
  defaultReply: Reply = { kind: "answer" };

  private readonly opts: StubOptions;

  constructor(opts: StubOptions = {}) {
    this.opts = opts;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get endpoint(): string {
    return `${this.baseUrl}/v1`;
  }

  get model(): string {
    return this.opts.model ?? "Qwen/Qwen3-VL-32B-Thinking-FP8";
  }

  /** Queue replies for the next chat requests, in order. */
  enqueue(...replies: Reply[]): void {
    this.replies.push(...replies);
  }

  /** Serve `body` at GET /files/<name>; `declaredLength` sends a Content-Length without the body to match. */
  serveFile(name: string, body: Buffer, opts: { chunked?: boolean; declaredLength?: number } = {}): string {
    this.files.set(name, { body, chunked: opts.chunked ?? false, declaredLength: opts.declaredLength });
    return `${this.baseUrl}/files/${name}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: String(err), type: "InternalServerError", param: null, code: 500 } }));
      });
    });
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.baseUrl);
    if (req.method === "GET" && url.pathname.startsWith("/files/")) return this.serveStatic(url.pathname.slice(7), res);
    if (req.method !== "POST" || url.pathname !== "/v1/chat/completions") {
      return json(res, 404, { detail: "Not Found" });
    }
    const raw = await readBody(req);

    // Proxy auth happens in Modal's edge before the request reaches the container.
    if (this.opts.modalProxy) {
      const key = req.headers["modal-key"];
      const secret = req.headers["modal-secret"];
      if (!key || !secret) return text(res, 401, "modal-http: missing credentials for proxy authorization");
      if (key !== this.opts.modalProxy.key || secret !== this.opts.modalProxy.secret) {
        return text(res, 401, "modal-http: invalid credentials for proxy authorization");
      }
    }
    if (this.opts.apiKey && req.headers.authorization !== `Bearer ${this.opts.apiKey}`) {
      return json(res, 401, { error: "Unauthorized" });
    }

    const body = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
    const { images, texts } = await extractContent(body);
    this.requests.push({ path: url.pathname, headers: req.headers, body, images, texts });

    const reply = this.replies.shift() ?? this.defaultReply;
    switch (reply.kind) {
      case "drop":
        req.socket.destroy();
        return;
      case "hang":
        return;
      case "status":
        res.writeHead(reply.status, { "content-type": reply.contentType ?? "application/json" });
        res.end(reply.body);
        return;
      case "answer":
        break;
    }

    const limit = this.opts.limitImages ?? 5;
    if (images.length > limit) {
      return vllmError(res, 400, `At most ${limit} image(s) may be provided in one prompt.`, "BadRequestError");
    }
    if (body.model !== this.model) {
      return vllmError(res, 404, unknownModelMessage(String(body.model), this.model), "NotFoundError", "model");
    }
    // Chat-template overhead + ~4 chars per text token + each image's tokens and its 2 vision markers.
    const promptTokens = 12 + texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0) +
      images.reduce((n, i) => n + i.tokens + 2, 0);
    const maxLen = this.opts.maxModelLen ?? 32_768;
    const length = vllmLengthCheck(maxLen, promptTokens, typeof body.max_tokens === "number" ? body.max_tokens : undefined);
    if (length.error) return vllmError(res, 400, length.error.message, "BadRequestError", length.error.param);
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;

    const answer = reply.answer ?? `Saw ${images.length} image(s): ${images.map((i) => `${i.width}x${i.height}`).join(", ")}.`;
    let reasoning = reply.reasoning ?? "The user wants a description. Let me look at the pixels first.";
    const layout = reply.layout ?? "reasoning";
    const parsed = layout === "reasoning" || layout === "reasoning_content";
    let content =
      parsed ? answer
        : layout === "think-tags" ? `<think>\n${reasoning}\n</think>\n\n${answer}`
          : `${reasoning}\n</think>\n\n${answer}`;
    // ~4 characters a token; past the (clamped) max_tokens the model is cut off: reasoning first, then the answer
    let reasoningTokens = parsed ? Math.ceil(reasoning.length / 4) : 0;
    let completionTokens = Math.ceil(content.length / 4) + reasoningTokens;
    let finishReason = reply.finishReason ?? "stop";
    if (completionTokens > length.maxTokens) {
      finishReason = "length";
      completionTokens = length.maxTokens;
      if (parsed) {
        reasoningTokens = Math.min(reasoningTokens, length.maxTokens);
        reasoning = reasoning.slice(0, 4 * reasoningTokens);
        content = content.slice(0, 4 * (length.maxTokens - reasoningTokens));
      } else content = content.slice(0, 4 * length.maxTokens);
    }
    const message: Record<string, unknown> = { role: "assistant", content: content || null, refusal: null, annotations: null, audio: null, function_call: null };
    if (layout === "reasoning_content") Object.assign(message, { tool_calls: [], reasoning_content: reasoning || null });
    else message.reasoning = parsed ? reasoning || null : null;
    const completion = {
      id: `chatcmpl-${Math.random().toString(16).slice(2)}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: this.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason, stop_reason: null, token_ids: null, routed_experts: null, weight_versions: null }],
      service_tier: null,
      system_fingerprint: STUB_FINGERPRINT,
      usage: {
        prompt_tokens: promptTokens, total_tokens: promptTokens + completionTokens, completion_tokens: completionTokens, prompt_tokens_details: null,
        // vLLM counts reasoning tokens whenever a reasoning parser is configured
        completion_tokens_details: { reasoning_tokens: reasoningTokens },
      },
      prompt_logprobs: null, prompt_token_ids: null, prompt_text: null, kv_transfer_params: null, ec_transfer_params: null, metrics: null,
    };
    this.completions.push(completion);
    json(res, 200, completion);
  }

  private serveStatic(name: string, res: ServerResponse): void {
    const file = this.files.get(name);
    if (!file) return text(res, 404, "Not Found");
    if (file.chunked) {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      const chunk = 1 << 20;
      for (let i = 0; i < file.body.length; i += chunk) res.write(file.body.subarray(i, i + chunk));
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "image/png", "content-length": String(file.declaredLength ?? file.body.length) });
    if (file.declaredLength !== undefined && file.declaredLength > file.body.length) {
      res.write(file.body); // the client should give up on the header alone; keep the socket open otherwise
      return;
    }
    res.end(file.body);
  }
}

async function extractContent(body: Record<string, unknown>): Promise<{ images: RecordedImage[]; texts: string[] }> {
  const images: RecordedImage[] = [];
  const texts: string[] = [];
  const messages = Array.isArray(body.messages) ? (body.messages as { content: unknown }[]) : [];
  for (const m of messages) {
    const parts = typeof m.content === "string" ? [{ type: "text", text: m.content }] : (m.content as Record<string, unknown>[]);
    for (const p of parts) {
      if (p.type === "text") texts.push(String(p.text));
      if (p.type === "image_url") {
        const url = String((p.image_url as { url: string }).url);
        const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
        if (!match) throw new Error(`stub only accepts base64 data URLs, got ${url.slice(0, 40)}`);
        const data = Buffer.from(match[2]!, "base64");
        const meta = await sharp(data).metadata();
        const fitted = qwenSmartResize(meta.width, meta.height);
        images.push({
          mimeType: match[1]!,
          bytes: data.length,
          width: meta.width,
          height: meta.height,
          tokens: (fitted.width / FACTOR) * (fitted.height / FACTOR),
          data,
        });
      }
    }
  }
  return { images, texts };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(body);
}

/** vLLM's ErrorResponse as vLLM 0.33 serializes it (tests/fixtures/vllm/errors.json). */
function vllmError(res: ServerResponse, status: number, message: string, type: string, param: string | null = null): void {
  json(res, status, { error: { message, type, param, code: status } });
}
