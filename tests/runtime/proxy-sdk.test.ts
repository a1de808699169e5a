// The official @anthropic-ai/sdk as the client, the proxy in between, a vLLM-faithful stub behind it:
// the SDK's stream accumulator must rebuild the expected message.
import { harness } from "../support/proxy-harness.ts";
import type { StubReply } from "../support/vllm-stub.ts";

const user = [{ role: "user" as const, content: "hi" }];
const tools = [
  { name: "Write", input_schema: { type: "object" as const, properties: { file_path: { type: "string" }, content: { type: "string" } } } },
  { name: "Read", input_schema: { type: "object" as const, properties: { file_path: { type: "string" } } } },
];

describe.each(["hermes", "qwen3_coder"] as const)("SDK stream through the proxy (%s tool parser)", (toolParser) => {
  const make = (reply: StubReply, extra: { inlineThink?: boolean; reasoningField?: "reasoning" | "reasoning_content" } = {}) =>
    harness({ stub: { toolParser, reply: () => reply, ...extra } });

  it("text", async () => {
    const h = make({ text: "Hello there, this streams in pieces." });
    const stream = h.client.messages.stream({ model: "claude-opus-4-8", max_tokens: 1000, messages: user });
    const deltas: string[] = [];
    stream.on("text", (t) => deltas.push(t));
    const msg = await stream.finalMessage();
    expect(msg.content).toEqual([{ type: "text", text: "Hello there, this streams in pieces." }]);
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.model).toBe("claude-opus-4-8");
    expect(deltas.length).toBe(Math.ceil("Hello there, this streams in pieces.".length / 4)); // one delta per upstream chunk
    expect(msg.usage.output_tokens).toBeGreaterThan(0);
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
    expect(h.stub.requests[0]).toMatchObject({ model: "stub-model", stream: true, stream_options: { include_usage: true } });
  });

  it.each([
    ["reasoning_content", false],
    ["reasoning", false],
    ["reasoning_content", true],
  ] as const)("thinking from %s (inline <think>: %s) when asked; dropped when not", async (reasoningField, inlineThink) => {
    const reply = { reasoning: "First, consider the request.", text: "Done." };
    const h = make(reply, { reasoningField, inlineThink });
    const withThinking = await h.client.messages.stream({ model: "m", max_tokens: 1000, messages: user, thinking: { type: "enabled", budget_tokens: 500 } }).finalMessage();
    expect(withThinking.content).toEqual([{ type: "thinking", thinking: "First, consider the request.", signature: "" }, { type: "text", text: "Done." }]);
    const without = await h.client.messages.stream({ model: "m", max_tokens: 1000, messages: user }).finalMessage();
    expect(without.content).toEqual([{ type: "text", text: "Done." }]);
  });

  it("single tool call", async () => {
    const h = make({ text: "Writing.", toolCalls: [{ name: "Write", arguments: { file_path: "/w/a.txt", content: "line 1\nline \"2\"\n" } }] });
    const stream = h.client.messages.stream({ model: "m", max_tokens: 1000, messages: user, tools });
    const partials: string[] = [];
    stream.on("inputJson", (p) => partials.push(p));
    const msg = await stream.finalMessage();
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.content).toEqual([
      { type: "text", text: "Writing." },
      { type: "tool_use", id: expect.stringMatching(/^chatcmpl-tool-/), name: "Write", input: { file_path: "/w/a.txt", content: "line 1\nline \"2\"\n" } },
    ]);
    expect(partials.length).toBeGreaterThan(1); // arguments streamed in fragments
    expect(h.stub.requests[0].tools!.map((t) => t.function.name)).toEqual(["Write", "Read"]);
  });

  it("parallel tool calls", async () => {
    const h = make({ toolCalls: [{ name: "Read", arguments: { file_path: "/a" } }, { name: "Read", arguments: { file_path: "/b" } }, { name: "Write", arguments: { file_path: "/c", content: "" } }] });
    const msg = await h.client.messages.stream({ model: "m", max_tokens: 1000, messages: user, tools }).finalMessage();
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.content.map((b) => (b.type === "tool_use" ? [b.name, b.input] : b.type))).toEqual([
      ["Read", { file_path: "/a" }], ["Read", { file_path: "/b" }], ["Write", { file_path: "/c", content: "" }],
    ]);
    const ids = msg.content.map((b) => (b.type === "tool_use" ? b.id : ""));
    expect(new Set(ids).size).toBe(3);
  });

  it("max_tokens", async () => {
    const h = make({ text: "cut off mid-sen", finish: "length" });
    const msg = await h.client.messages.stream({ model: "m", max_tokens: 5, messages: user }).finalMessage();
    expect(msg.stop_reason).toBe("max_tokens");
    expect(msg.content).toEqual([{ type: "text", text: "cut off mid-sen" }]);
  });

  it("stop_sequence", async () => {
    const h = make({ text: "one two", stopString: "THREE" });
    const msg = await h.client.messages.stream({ model: "m", max_tokens: 50, messages: user, stop_sequences: ["THREE"] }).finalMessage();
    expect(msg.stop_reason).toBe("stop_sequence");
    expect(msg.stop_sequence).toBe("THREE");
    expect(h.stub.requests[0].stop).toEqual(["THREE"]);
  });

  it("non-streaming create()", async () => {
    const h = make({ reasoning: "hmm", text: "Reading.", toolCalls: [{ name: "Read", arguments: { file_path: "/r" } }] });
    const msg = await h.client.messages.create({ model: "m", max_tokens: 100, messages: user, tools, thinking: { type: "enabled", budget_tokens: 50 } });
    expect(msg.content).toEqual([
      { type: "thinking", thinking: "hmm", signature: "" },
      { type: "text", text: "Reading." },
      { type: "tool_use", id: expect.any(String), name: "Read", input: { file_path: "/r" } },
    ]);
    expect(msg.stop_reason).toBe("tool_use");
    expect(h.stub.requests[0].stream).toBe(false);
  });
});

describe("other endpoints", () => {
  it("HEAD / and GET /health answer without credentials", async () => {
    const h = harness({ proxy: { token: "secret-token" } });
    expect((await h.app.request("/", { method: "HEAD" })).status).toBe(200);
    const health = await h.app.request("/health");
    expect(await health.json()).toEqual({ status: "ok", dialect: "native" });
  });

  it("GET /v1/models lists the configured model, or the upstream's", async () => {
    const h = harness();
    const page = await h.client.models.list();
    expect(page.data.map((m) => m.id)).toEqual(["stub-model"]);
    const h2 = harness({ proxy: { upstream: { baseUrl: "http://vllm.test/v1", model: undefined } } });
    const res = await h2.app.request("/v1/models", { headers: { "x-api-key": "x" } });
    expect(((await res.json()) as { data: unknown[] }).data[0]).toMatchObject({ type: "model", id: "stub-model" });
  });

  it("count_tokens is exact through vLLM's /tokenize, an estimate that says so otherwise", async () => {
    const h = harness();
    const r = await h.client.messages.countTokens({ model: "m", messages: [{ role: "user", content: "count these words please" }] });
    expect(r.input_tokens).toBeGreaterThan(0);
    const res = await h.post("/v1/messages/count_tokens", { model: "m", messages: user });
    expect(res.headers.get("x-token-count")).toBe("exact");

    const cold = harness({ stub: { cold: { requests: 99 } } });
    const est = await cold.post("/v1/messages/count_tokens", { model: "m", messages: user });
    expect(est.headers.get("x-token-count")).toBe("estimate");
    expect(await est.json()).toEqual({ input_tokens: expect.any(Number), estimated: true });
  });

  it("the proxy's own token: required on /v1/* when set (x-api-key or Bearer)", async () => {
    const h = harness({ proxy: { token: "secret-token" } });
    const msg = await h.client.messages.create({ model: "m", max_tokens: 10, messages: user });
    expect(msg.content[0]).toEqual({ type: "text", text: "Hello from the stub." });
    const bearer = await h.post("/v1/messages", { model: "m", max_tokens: 10, messages: user }, { authorization: "Bearer secret-token" });
    expect(bearer.status).toBe(200);
    const bad = await h.post("/v1/messages", { model: "m", max_tokens: 10, messages: user }, { "x-api-key": "wrong" });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ type: "error", error: { type: "authentication_error", message: expect.stringContaining("proxy token") } });
    expect(h.stub.requests).toHaveLength(2);
  });

  it("upstream auth: Bearer API key and Modal-Key/Modal-Secret go upstream", async () => {
    const h = harness({ stub: { apiKey: "vllm-key" }, proxy: { upstream: { baseUrl: "http://vllm.test/v1", model: "stub-model", apiKey: "vllm-key" } } });
    expect((await h.client.messages.create({ model: "m", max_tokens: 10, messages: user })).type).toBe("message");
    const seen: Headers[] = [];
    const modal = harness({ proxy: { upstream: { baseUrl: "http://vllm.test/v1/chat/completions", model: "stub-model", modalKey: "wk-1", modalSecret: "ws-2" } } });
    const inner = modal.stub.fetch;
    const { createApp } = await import("../../runtime/proxy/app.ts");
    const { nativeDialect } = await import("../../runtime/proxy/dialects/native.ts");
    const app = createApp({
      upstream: { baseUrl: "http://vllm.test/v1/chat/completions", model: "stub-model", modalKey: "wk-1", modalSecret: "ws-2" },
      dialect: nativeDialect,
      fetch: ((url: string, init: RequestInit) => { seen.push(new Headers(init.headers)); return inner(url, init); }) as typeof fetch,
    });
    const res = await app.request("/v1/messages", { method: "POST", body: JSON.stringify({ model: "m", max_tokens: 10, messages: user }) });
    expect(res.status).toBe(200);
    expect(seen[0].get("modal-key")).toBe("wk-1");
    expect(seen[0].get("modal-secret")).toBe("ws-2");
    expect(seen[0].get("authorization")).toBeNull();
  });

  it("wrong upstream key → 401 authentication_error without leaking it", async () => {
    const h = harness({ stub: { apiKey: "right" }, proxy: { upstream: { baseUrl: "http://vllm.test/v1", model: "stub-model", apiKey: "wrong-key" } } });
    const res = await h.post("/v1/messages", { model: "m", max_tokens: 10, messages: user });
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).not.toContain("wrong-key");
    expect(JSON.parse(text).error.type).toBe("authentication_error");
  });

  it("logs one structured line per request with its id and no secrets", async () => {
    const h = harness({ proxy: { token: "tok-secret", upstream: { baseUrl: "http://vllm.test/v1", model: "stub-model", apiKey: "sk-upstream" } } });
    await h.client.messages.create({ model: "m", max_tokens: 10, messages: user });
    await h.client.messages.stream({ model: "m", max_tokens: 10, messages: user }).finalMessage();
    expect(h.logs.map((l) => l.msg)).toEqual(["message", "stream"]);
    for (const l of h.logs) expect(l.fields?.requestId).toMatch(/^req_/);
    const all = JSON.stringify(h.logs);
    expect(all).not.toContain("tok-secret");
    expect(all).not.toContain("sk-upstream");
  });
});
