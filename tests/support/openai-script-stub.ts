// A scripted OpenAI-compatible server on 127.0.0.1 that answers the way vLLM's OpenAI server does:
// `POST /v1/chat/completions` streamed as `chat.completion.chunk` SSE frames (role chunk, content or
// tool-call deltas, a finish chunk, the usage chunk when `stream_options.include_usage`, `data: [DONE]`)
// or as one `chat.completion` object; `GET /v1/models`; vLLM's error bodies (404 unknown model,
// 401 `{"error":"Unauthorized"}` from `--api-key`) and Modal's proxy-auth 401 in front of it.
// A script decides each answer from the request, so the same stub plays the coder model and the VLM.
import { createServer } from "node:http";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";

export interface ChatMessage {
  readonly role: string;
  readonly content?: unknown;
  readonly tool_calls?: ReadonlyArray<{ id: string; type: string; function: { name: string; arguments: string } }>;
  readonly tool_call_id?: string;
}

export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly stream?: boolean;
  readonly stream_options?: { include_usage?: boolean };
  readonly tools?: ReadonlyArray<{ type: string; function: { name: string; description?: string; parameters?: unknown } }>;
  readonly [key: string]: unknown;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body of a chat request, undefined for other requests. */
  readonly body: ChatRequest | undefined;
}

/** What the model "generates" for one request. */
export type ScriptAnswer =
  | { readonly kind: "text"; readonly text: string; readonly reasoning?: string }
  | { readonly kind: "tool_calls"; readonly calls: ReadonlyArray<{ name: string; arguments: Record<string, unknown> }> }
  /** An HTTP error as vLLM would send it, e.g. 400 for a context overflow. */
  | { readonly kind: "error"; readonly status: number; readonly message: string; readonly type: string };

export type Script = (request: ChatRequest, earlier: readonly RecordedRequest[]) => ScriptAnswer;

export interface OpenAIStubOptions {
  readonly script: Script;
  /** The served model name; requests for another model get vLLM's 404. */
  readonly model: string;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (vLLM `--api-key`). */
  readonly apiKey?: string;
  /** When set, requests must carry Modal-Key/Modal-Secret (Modal `requires_proxy_auth=True`). */
  readonly modalProxy?: { readonly tokenId: string; readonly tokenSecret: string };
}

export interface OpenAIStub {
  /** Base URL ending in /v1, as the stack outputs carry it. */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
};

const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

// vLLM's error shape (vllm/entrypoints/openai/protocol.py ErrorResponse, nested under "error" since 0.10).
const vllmError = (message: string, type: string, code: number) => ({ error: { message, type, param: null, code } });

const usageOf = (request: ChatRequest, completionTokens: number) => {
  const promptTokens = Math.max(1, Math.ceil(JSON.stringify(request.messages).length / 4));
  return { prompt_tokens: promptTokens, total_tokens: promptTokens + completionTokens, completion_tokens: completionTokens };
};

/** The SSE frames vLLM writes for one answer (without the trailing `[DONE]`). */
export function streamFrames(request: ChatRequest, answer: Exclude<ScriptAnswer, { kind: "error" }>, id: string, created: number): unknown[] {
  const base = { id, object: "chat.completion.chunk", created, model: request.model };
  const chunk = (delta: unknown, finish: string | null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const frames: unknown[] = [chunk({ role: "assistant", content: "" }, null)];
  let tokens = 0;
  if (answer.kind === "text") {
    if (answer.reasoning) frames.push(chunk({ reasoning_content: answer.reasoning }, null));
    // Split the text the way a tokenizer-driven stream does: several deltas, not one.
    for (const piece of answer.text.match(/[\s\S]{1,16}/g) ?? []) {
      frames.push(chunk({ content: piece }, null));
      tokens += 1;
    }
    frames.push(chunk({}, "stop"));
  } else {
    answer.calls.forEach((call, index) => {
      const args = JSON.stringify(call.arguments);
      frames.push(
        chunk(
          {
            tool_calls: [
              { id: `chatcmpl-tool-${randomBytes(16).toString("hex")}`, type: "function", index, function: { name: call.name, arguments: "" } },
            ],
          },
          null,
        ),
      );
      for (const piece of args.match(/[\s\S]{1,24}/g) ?? []) {
        frames.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null));
        tokens += 1;
      }
    });
    frames.push(chunk({}, "tool_calls"));
  }
  if (request.stream_options?.include_usage) frames.push({ ...base, choices: [], usage: usageOf(request, tokens) });
  return frames;
}

/** The non-streaming `chat.completion` object vLLM returns for one answer. */
export function completionObject(request: ChatRequest, answer: Exclude<ScriptAnswer, { kind: "error" }>, id: string, created: number): unknown {
  const message =
    answer.kind === "text"
      ? { role: "assistant", reasoning_content: answer.reasoning ?? null, content: answer.text, tool_calls: [] }
      : {
          role: "assistant",
          reasoning_content: null,
          content: null,
          tool_calls: answer.calls.map((c) => ({
            id: `chatcmpl-tool-${randomBytes(16).toString("hex")}`,
            type: "function",
            function: { name: c.name, arguments: JSON.stringify(c.arguments) },
          })),
        };
  return {
    id,
    object: "chat.completion",
    created,
    model: request.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: answer.kind === "text" ? "stop" : "tool_calls", stop_reason: null }],
    usage: usageOf(request, 8),
    prompt_logprobs: null,
  };
}

export async function startOpenAIStub(options: OpenAIStubOptions): Promise<OpenAIStub> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, vllmError(String(error), "InternalServerError", 500));
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    const raw = await readBody(req);
    let body: ChatRequest | undefined;
    if (req.method === "POST" && path === "/v1/chat/completions") {
      try {
        body = JSON.parse(raw) as ChatRequest;
      } catch {
        requests.push({ method: req.method, path, headers: req.headers, body: undefined });
        sendJson(res, 400, vllmError("Invalid JSON body", "BadRequestError", 400));
        return;
      }
    }
    const earlier = requests.slice();
    requests.push({ method: req.method ?? "GET", path, headers: req.headers, body });

    if (options.modalProxy) {
      const key = req.headers["modal-key"];
      const secret = req.headers["modal-secret"];
      if (key === undefined || secret === undefined) {
        res.writeHead(401, { "content-type": "text/plain" });
        res.end("modal-http: missing credentials for proxy authorization");
        return;
      }
      if (key !== options.modalProxy.tokenId || secret !== options.modalProxy.tokenSecret) {
        res.writeHead(401, { "content-type": "text/plain" });
        res.end("modal-http: invalid credentials for proxy authorization");
        return;
      }
    }
    if (options.apiKey !== undefined && path.startsWith("/v1") && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      sendJson(res, 401, { error: "Unauthorized" });
      return;
    }
    if (req.method === "GET" && path === "/v1/models") {
      sendJson(res, 200, {
        object: "list",
        data: [{ id: options.model, object: "model", created: Math.floor(Date.now() / 1000), owned_by: "vllm", root: options.model, parent: null, max_model_len: 32768 }],
      });
      return;
    }
    if (body === undefined) {
      sendJson(res, 404, { detail: "Not Found" });
      return;
    }
    if (body.model !== options.model) {
      sendJson(res, 404, vllmError(`The model \`${body.model}\` does not exist.`, "NotFoundError", 404));
      return;
    }
    const answer = options.script(body, earlier);
    if (answer.kind === "error") {
      sendJson(res, answer.status, vllmError(answer.message, answer.type, answer.status));
      return;
    }
    const id = `chatcmpl-${randomBytes(16).toString("hex")}`;
    const created = Math.floor(Date.now() / 1000);
    if (!body.stream) {
      sendJson(res, 200, completionObject(body, answer, id, created));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    for (const frame of streamFrames(body, answer, id, created)) res.write(`data: ${JSON.stringify(frame)}\n\n`);
    res.end("data: [DONE]\n\n");
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Text of a message whose content is a string or an array of `{type:"text", text}` parts. */
export function messageText(message: ChatMessage): string {
  if (typeof message.content === "string") return message.content;
  if (Array.isArray(message.content)) {
    return message.content
      .map((part: unknown) => (typeof part === "object" && part !== null && "text" in part ? String((part as { text: unknown }).text) : ""))
      .join("");
  }
  return "";
}
