// The test harness itself: the DNS logger must see what a real resolver sends and answer so lookups fail fast;
// the coder stub adds Modal's proxy auth and header recording in front of the shared vLLM stub.
import { afterEach, describe, expect, it } from "@jest/globals";
import { Resolver } from "node:dns/promises";
import { startDnsLogger } from "../support/netns-dns-logger.ts";
import type { DnsLogger } from "../support/netns-dns-logger.ts";
import { startOpenAIStub } from "../support/openai-script-stub.ts";
import type { OpenAIStub } from "../support/openai-script-stub.ts";
import { vlmToolScript, MCP_TOOL } from "./e2e/scenario.ts";

let dns: DnsLogger | undefined;
let stub: OpenAIStub | undefined;
afterEach(async () => {
  await dns?.close();
  await stub?.close();
  dns = stub = undefined;
});

describe("DNS logger", () => {
  it("records each query name and type from a real resolver and answers NXDOMAIN", async () => {
    dns = await startDnsLogger("127.0.0.1", 0);
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${dns.port}`]);
    await expect(resolver.resolve4("telemetry.example.com")).rejects.toMatchObject({ code: "ENOTFOUND" });
    await expect(resolver.resolve6("Telemetry.Example.com")).rejects.toMatchObject({ code: "ENOTFOUND" });
    await expect(resolver.resolveTxt("localhost")).rejects.toMatchObject({ code: "ENOTFOUND" });
    expect(dns.queries).toEqual([
      { name: "telemetry.example.com", type: "A" },
      { name: "telemetry.example.com", type: "AAAA" },
      { name: "localhost", type: "TXT" },
    ]);
  });
});

const chat = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${stub!.baseUrl}/chat/completions`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer k", ...headers }, body: JSON.stringify(body) });

describe("vLLM stub behind Modal proxy auth", () => {
  it("answers Modal's 401 without the proxy credentials, then vLLM's own errors, and records every request's headers", async () => {
    stub = await startOpenAIStub({ script: vlmToolScript, model: "m", apiKey: "k", modalProxy: { tokenId: "wk", tokenSecret: "ws" } });
    const proxy = { "modal-key": "wk", "modal-secret": "ws" };
    const noProxy = await chat({ model: "m", messages: [] });
    expect([noProxy.status, await noProxy.text()]).toEqual([401, "modal-http: missing credentials for proxy authorization"]);
    const wrongProxy = await chat({ model: "m", messages: [] }, { ...proxy, "modal-secret": "nope" });
    expect([wrongProxy.status, await wrongProxy.text()]).toEqual([401, "modal-http: invalid credentials for proxy authorization"]);
    const badKey = await chat({ model: "m", messages: [] }, { ...proxy, authorization: "Bearer nope" });
    expect([badKey.status, await badKey.json()]).toEqual([401, { error: "Unauthorized" }]);
    const badModel = await chat({ model: "other", messages: [] }, proxy);
    // vLLM 0.33's body for an unknown model (tests/fixtures/vllm/errors.json, "unknown-model")
    expect([badModel.status, await badModel.json()]).toEqual([404, { error: { message: "The model `other` does not exist. Valid aliases: m.", type: "NotFoundError", param: "model", code: 404 } }]);
    expect(stub.requests.map((r) => [r.path, r.headers["modal-key"] ?? null, r.body?.model ?? null])).toEqual([
      ["/v1/chat/completions", null, null],
      ["/v1/chat/completions", "wk", null],
      ["/v1/chat/completions", "wk", null],
      ["/v1/chat/completions", "wk", "other"],
    ]);
  });

  it("streams the script's tool call through, with the recorded chat body", async () => {
    stub = await startOpenAIStub({ script: vlmToolScript, model: "m" });
    const res = await chat({
      model: "m",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "system", content: `Deferred: ${MCP_TOOL}` }, { role: "user", content: "look" }],
      tools: [{ type: "function", function: { name: "tool_search", parameters: {} } }],
    });
    const frames = (await res.text()).split("\n\n").filter(Boolean).map((f) => f.replace(/^data: /, ""));
    expect(frames.at(-1)).toBe("[DONE]");
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f));
    const args = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? []).join("");
    expect(chunks.flatMap((c) => c.choices[0]?.delta.tool_calls?.[0]?.function?.name ?? [])).toEqual(["tool_search"]);
    expect(JSON.parse(args)).toEqual({ query: `select:${MCP_TOOL}` });
    expect(stub.requests[0]?.body?.messages).toHaveLength(2);
  });
});
