// A proxy app wired to a vLLM stub in-process (no sockets), plus an official Anthropic SDK client for it.
import Anthropic from "@anthropic-ai/sdk";
import { createApp } from "../../runtime/proxy/app.ts";
import type { ProxyDeps } from "../../runtime/proxy/config.ts";
import type { Dialect } from "../../runtime/proxy/dialect.ts";
import { nativeDialect } from "../../runtime/proxy/dialects/native.ts";
import type { LogFields, Logger, LogLevel } from "../../runtime/proxy/log.ts";
import { createVllmStub, type VllmStub, type VllmStubOptions } from "./vllm-stub.ts";

export interface Harness {
  stub: VllmStub;
  app: ReturnType<typeof createApp>;
  client: Anthropic;
  logs: Array<{ level: LogLevel; msg: string; fields?: LogFields }>;
  /** POST a raw body to the proxy */
  post(path: string, body: string | object, headers?: Record<string, string>): Promise<Response>;
}

export function harness(o: { stub?: VllmStubOptions; proxy?: Partial<Omit<ProxyDeps, "dialect">>; dialect?: Dialect } = {}): Harness {
  const stub = createVllmStub({ model: "stub-model", ...o.stub });
  const logs: Harness["logs"] = [];
  const logger: Logger = { log: (level, msg, fields) => logs.push({ level, msg, fields }) };
  const app = createApp({
    upstream: { baseUrl: "http://vllm.test/v1", model: "stub-model", ...o.proxy?.upstream },
    dialect: o.dialect ?? nativeDialect,
    fetch: stub.fetch,
    logger,
    coldStart: { deadlineMs: 2_000, retryDelayMs: 10, pingIntervalMs: 1_000 },
    ...o.proxy,
  });
  const appFetch = ((url: string | URL | Request, init?: RequestInit) => app.request(url instanceof Request ? url : String(url), init)) as typeof fetch;
  const client = new Anthropic({ apiKey: o.proxy?.token ?? "dummy", baseURL: "http://proxy.test", fetch: appFetch, maxRetries: 0 });
  return {
    stub, app, client, logs,
    post: (path, body, headers = {}) =>
      Promise.resolve(app.request(path, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": "application/json", ...headers } })),
  };
}

/** Parses an SSE response body into events (type + parsed data). */
export async function sseEvents(res: Response): Promise<Array<{ event: string; data: any }>> {
  const text = await res.text();
  return text.split("\n\n").filter((b) => b.trim() !== "").map((b) => {
    const event = /^event: (.*)$/m.exec(b)?.[1] ?? "";
    const data = /^data: (.*)$/m.exec(b)?.[1];
    return { event, data: data === undefined ? undefined : JSON.parse(data) };
  });
}
