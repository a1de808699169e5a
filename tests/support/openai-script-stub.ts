// The scripted vLLM stub (tests/support/vllm-stub.ts, which produces vLLM's chunk format and error bodies) put
// behind what a Modal web endpoint adds in front of it: proxy auth (`requires_proxy_auth=True`: no or wrong
// Modal-Key/Modal-Secret → Modal's plain-text 401 before vLLM sees anything). Every request's headers are recorded
// too, so a test can check which credentials a client sent.
import { Hono } from "hono";
import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { createVllmStub } from "./vllm-stub.ts";
import type { ChatRequestSeen, StubReply } from "./vllm-stub.ts";

export type { ChatRequestSeen, StubReply };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  /** The chat request body, when the request reached vLLM's chat endpoint. */
  readonly body: ChatRequestSeen | undefined;
}

/** What the model "generates" for one chat request (n counts chat requests from 0). */
export type Script = (request: ChatRequestSeen, n: number) => StubReply;

export interface OpenAIStubOptions {
  readonly script: Script;
  /** The served model name; requests for another model get vLLM's 404. */
  readonly model: string;
  /** vLLM `--api-key`: requests need `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string;
  /** Modal proxy auth in front of the endpoint. */
  readonly modalProxy?: { readonly tokenId: string; readonly tokenSecret: string };
}

export interface OpenAIStub {
  /** Base URL ending in /v1, as the stack outputs carry it. */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startOpenAIStub(options: OpenAIStubOptions): Promise<OpenAIStub> {
  const vllm = createVllmStub({ reply: options.script, model: options.model, apiKey: options.apiKey, toolParser: "qwen3_coder" });
  const requests: RecordedRequest[] = [];
  const app = new Hono();
  app.all("*", async (c) => {
    const seenBefore = vllm.requests.length;
    const record = { method: c.req.method, path: new URL(c.req.url).pathname, headers: c.req.header() };
    const proxy = options.modalProxy;
    if (proxy) {
      const key = c.req.header("modal-key");
      const secret = c.req.header("modal-secret");
      if (key === undefined || secret === undefined) {
        requests.push({ ...record, body: undefined });
        return c.text("modal-http: missing credentials for proxy authorization", 401);
      }
      if (key !== proxy.tokenId || secret !== proxy.tokenSecret) {
        requests.push({ ...record, body: undefined });
        return c.text("modal-http: invalid credentials for proxy authorization", 401);
      }
    }
    const response = await vllm.app.fetch(c.req.raw);
    requests.push({ ...record, body: vllm.requests.length > seenBefore ? vllm.requests[seenBefore] : undefined });
    return response;
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

/** Text of a message whose content is a string or an array of `{type:"text", text}` parts. */
export function messageText(message: { content?: unknown } | undefined): string {
  const content = message?.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => (typeof part === "object" && part !== null && "text" in part ? String((part as { text: unknown }).text) : ""))
      .join("");
  }
  return "";
}
