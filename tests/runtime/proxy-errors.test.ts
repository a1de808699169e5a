// Anthropic-shaped errors with the right statuses, the context-length policy, cold start and mid-stream failures.
import Anthropic from "@anthropic-ai/sdk";
import { harness, sseEvents } from "../support/proxy-harness.ts";
import { stubPromptTokens } from "../support/vllm-stub.ts";

const ok = { model: "m", max_tokens: 100, messages: [{ role: "user", content: "hi" }] };
const errorBody = (type: string, message?: string | RegExp) => ({
  type: "error",
  error: { type, message: message === undefined ? expect.any(String) : typeof message === "string" ? message : expect.stringMatching(message) },
});

describe("client errors", () => {
  const h = harness();

  it.each([
    ["not JSON", "{nope", "body: not valid JSON"],
    ["empty", "", "body: empty; expected a JSON object"],
    ["an array", "[]", "body: expected a JSON object"],
    ["max_tokens a string", { ...ok, max_tokens: "5" }, /^max_tokens: .*expected number/],
    ["a bad role", { ...ok, messages: [{ role: "robot", content: "x" }] }, /^messages\.0\.role: /],
    ["tool_result without tool_use_id", { ...ok, messages: [{ role: "user", content: [{ type: "tool_result", content: "x" }] }] }, /^messages\.0\.content\.0\.tool_use_id: /],
    ["tool_use id a number", { ...ok, messages: [{ role: "assistant", content: [{ type: "tool_use", id: 1, name: "x", input: {} }] }] }, /^messages\.0\.content\.0\.id: /],
    ["missing messages", { model: "m", max_tokens: 1 }, /^messages: /],
    ["tools not an array", { ...ok, tools: {} }, /^tools: /],
    ["tool_choice tool without name", { ...ok, tool_choice: { type: "tool" } }, /^tool_choice\.name: /],
  ])("%s → 400 naming the field", async (_, body, message) => {
    const res = await h.post("/v1/messages", body as object);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(errorBody("invalid_request_error", message as string));
  });

  it("invalid UTF-8 → 400", async () => {
    const res = await h.app.request("/v1/messages", { method: "POST", body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(errorBody("invalid_request_error", "body: not valid UTF-8"));
  });

  it("unknown fields are ignored, never rejected", async () => {
    const res = await h.post("/v1/messages", { ...ok, context_management: { edits: [] }, output_config: { effort: "high" }, brand_new_field: [1, { x: 2 }] });
    expect(res.status).toBe(200);
  });

  it("oversized body → 413", async () => {
    const small = harness({ proxy: { maxBodyBytes: 1000 } });
    const res = await small.post("/v1/messages", { ...ok, messages: [{ role: "user", content: "x".repeat(5000) }] });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual(errorBody("request_too_large", /limit is 1000/));
  });

  it("unknown route → 404 not_found_error", async () => {
    const res = await h.app.request("/v1/complete", { method: "POST" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(errorBody("not_found_error", "no route for POST /v1/complete"));
  });

  it("bad configuration fails at construction, naming the option", async () => {
    const { createApp } = await import("../../runtime/proxy/app.ts");
    const { nativeDialect } = await import("../../runtime/proxy/dialects/native.ts");
    expect(() => createApp({ upstream: { baseUrl: "not a url" }, dialect: nativeDialect })).toThrow(/upstream\.baseUrl: not a URL/);
    expect(() => createApp({ upstream: { baseUrl: "http://x/v1", modalKey: "k" }, dialect: nativeDialect })).toThrow(/modalKey and upstream\.modalSecret/);
    expect(() => createApp({ upstream: { baseUrl: "http://x/v1" }, dialect: nativeDialect, token: "" })).toThrow(/token/);
  });
});

describe("upstream errors → Anthropic errors", () => {
  it.each([
    [429, "rate_limit_error", 429],
    [500, "api_error", 500],
    [400, "invalid_request_error", 400],
  ])("vLLM %i → %s (%i), streaming and not", async (status, type, expected) => {
    const h = harness({ stub: { reply: () => ({ error: { status, message: `boom ${status}` } }) } });
    for (const stream of [false, true]) {
      const res = await h.post("/v1/messages", { ...ok, stream });
      expect(res.status).toBe(expected);
      const body = (await res.json()) as { error: { message: string } };
      expect(body).toEqual(errorBody(type));
      if (status !== 500) expect(body.error.message).toContain(`boom ${status}`);
      else expect(body.error.message).not.toContain("boom"); // 5xx text stays in the logs
    }
  });

  it("unknown upstream model → 404 not_found_error", async () => {
    const h = harness({ proxy: { upstream: { baseUrl: "http://vllm.test/v1", model: "other-model" } } });
    const res = await h.post("/v1/messages", ok);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(errorBody("not_found_error", /The model `other-model` does not exist/));
  });

  it("still cold after the deadline → 529 overloaded_error; the SDK sees an overloaded error", async () => {
    const h = harness({ stub: { cold: { requests: 1000 } }, proxy: { coldStart: { deadlineMs: 60, retryDelayMs: 10, pingIntervalMs: 1000 } } });
    const res = await h.post("/v1/messages", ok);
    expect(res.status).toBe(529);
    expect(await res.json()).toEqual(errorBody("overloaded_error", /starting/));
    await expect(h.client.messages.create({ model: "m", max_tokens: 5, messages: ok.messages as never })).rejects.toMatchObject({ status: 529 });
  });
});

describe("cold start", () => {
  it("retries 503s until the endpoint answers (non-streaming)", async () => {
    const h = harness({ stub: { cold: { requests: 3 } } });
    const msg = await h.client.messages.create({ model: "m", max_tokens: 5, messages: ok.messages as never });
    expect(msg.content).toEqual([{ type: "text", text: "Hello from the stub." }]);
    expect(h.logs.filter((l) => l.msg === "upstream retry")).toHaveLength(3);
  });

  it("keeps a streaming client alive with pings while the endpoint wakes, then streams normally", async () => {
    const h = harness({ stub: { cold: { untilMs: Date.now() + 200 } }, proxy: { coldStart: { deadlineMs: 5000, retryDelayMs: 20, pingIntervalMs: 40 } } });
    const res = await h.post("/v1/messages", { ...ok, stream: true });
    expect(res.status).toBe(200);
    const events = await sseEvents(res);
    expect(events[0].event).toBe("message_start");
    const firstBlock = events.findIndex((e) => e.event === "content_block_start");
    expect(events.slice(1, firstBlock).every((e) => e.event === "ping")).toBe(true);
    expect(firstBlock).toBeGreaterThanOrEqual(3);
    expect(events.at(-1)!.event).toBe("message_stop");
  });

  it("an endpoint that never wakes, after pings: event: error, then the stream ends", async () => {
    const h = harness({ stub: { cold: { requests: 1e9 } }, proxy: { coldStart: { deadlineMs: 150, retryDelayMs: 20, pingIntervalMs: 30 } } });
    const res = await h.post("/v1/messages", { ...ok, stream: true });
    expect(res.status).toBe(200);
    const events = await sseEvents(res);
    expect(events.at(-1)).toEqual({ event: "error", data: errorBody("overloaded_error") });
    expect(events.filter((e) => e.event === "ping").length).toBeGreaterThanOrEqual(2);
  });
});

describe("context length", () => {
  // the stub counts chars/4; a long history with a huge max_tokens overflows a 2,000-token window
  const long = { ...ok, max_tokens: 64000, messages: [{ role: "user", content: "word ".repeat(2000) }] };

  it("max_tokens above the window: retries once asking for the window, which vLLM 0.33 clamps to the room itself", async () => {
    const h = harness({ stub: { maxModelLen: 4000 } });
    const msg = await h.client.messages.create(long as never, { timeout: 20_000 });
    expect(msg.type).toBe("message");
    expect(h.stub.requests.map((r) => r.max_tokens)).toEqual([64000, 4000]);
    // the retry is the same request (rebuilt from its JSON text, exchange.ts) with only max_tokens changed
    expect({ ...h.stub.requests[1], max_tokens: 64000 }).toEqual(h.stub.requests[0]);
    expect(msg.stop_reason).toBe("end_turn");
    expect(h.logs.some((l) => l.msg === "upstream retry" && String(l.fields?.why).startsWith("context overflow"))).toBe(true);
  });

  it("prompt + max_tokens over the window is no error in vLLM 0.33: the answer is cut at the room (max_tokens)", async () => {
    // "word " × 2000 ≈ 2,500 stub tokens; 3,000 asked for, ~500 left: the stub's 4-char tokens of a long reply run out
    const h = harness({ stub: { maxModelLen: 3100, reply: () => ({ text: "z".repeat(8000) }) } });
    const msg = await h.client.messages.create({ ...long, max_tokens: 3000 } as never, { timeout: 20_000 });
    expect(h.stub.requests).toHaveLength(1);
    expect(msg.stop_reason).toBe("max_tokens");
    const text = (msg.content[0] as { text: string }).text;
    expect(text.length).toBe(4 * (3100 - stubPromptTokens(h.stub.requests[0])));
  });

  it("asks for no more than a configured window (no failed round trip); vLLM clamps to the room the prompt leaves", async () => {
    const h = harness({ stub: { maxModelLen: 8000, reply: () => ({ text: "z".repeat(40000) }) }, proxy: { upstream: { baseUrl: "http://vllm.test/v1", model: "stub-model", maxModelLen: 8000 } } });
    const msg = await h.client.messages.create(long as never, { timeout: 20_000 });
    expect(h.stub.requests.map((r) => r.max_tokens)).toEqual([8000]);
    expect(msg.stop_reason).toBe("max_tokens");
    expect((msg.content[0] as { text: string }).text.length).toBe(4 * (8000 - stubPromptTokens(h.stub.requests[0])));
  });

  it("an exhausted context answers with a message asking for /compact (stream and not)", async () => {
    const h = harness({ stub: { maxModelLen: 1000 } });
    const msg = await h.client.messages.create(long as never, { timeout: 20_000 });
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.content).toEqual([{ type: "text", text: expect.stringMatching(/of 1000\)\. Run \/compact/) }]);
    const streamed = await h.client.messages.stream(long as never).finalMessage();
    expect(streamed.content).toEqual(msg.content);
  });
});

describe("mid-stream failures", () => {
  it("vLLM's in-stream error chunk → event: error after the partial message, then the stream ends", async () => {
    const h = harness({ stub: { reply: () => ({ text: "x".repeat(40) }), fault: () => ({ midStreamError: 4 }) } });
    const res = await h.post("/v1/messages", { ...ok, stream: true });
    const events = await sseEvents(res);
    expect(events[0].event).toBe("message_start");
    expect(events.at(-1)).toEqual({ event: "error", data: errorBody("api_error", /mid-stream: stub: engine failed mid-stream/) });
    expect(events.some((e) => e.event === "message_stop")).toBe(false);
  });

  it("a dropped upstream connection → event: error; the SDK raises it", async () => {
    const h = harness({ stub: { reply: () => ({ text: "y".repeat(40) }), fault: () => ({ drop: 3 }) } });
    const events = await sseEvents(await h.post("/v1/messages", { ...ok, stream: true }));
    expect(events.at(-1)!.event).toBe("error");
    await expect(h.client.messages.stream(ok as never).finalMessage()).rejects.toBeInstanceOf(Anthropic.APIError);
  });

  it("a drop after the finish chunk (only usage/[DONE] lost) still completes the message", async () => {
    // frames: role, 2 content, finish, usage, [DONE] → drop at 4 loses usage and [DONE]
    const h = harness({ stub: { reply: () => ({ text: "abcdefgh" }), fault: () => ({ drop: 4 }) } });
    const msg = await h.client.messages.stream(ok as never).finalMessage();
    expect(msg.content).toEqual([{ type: "text", text: "abcdefgh" }]);
    expect(msg.stop_reason).toBe("end_turn");
  });
});

describe("a failing dialect", () => {
  const broken = {
    name: "swe-agent" as const,
    streamsToolArguments: false,
    toUpstream: (req: { messages: unknown[] }) => ({ messages: [{ role: "user" as const, content: String(req.messages.length) }] }),
    fromToolCall: (): never => { throw new TypeError("dialect bug"); },
  };
  const reply = () => ({ text: "about to call", toolCalls: [{ name: "bash", arguments: { command: "ls" } }] });

  it("streaming: event: error saying the translation failed, detail only in the log", async () => {
    const h = harness({ dialect: broken, stub: { reply } });
    const events = await sseEvents(await h.post("/v1/messages", { ...ok, stream: true }));
    expect(events.at(-1)).toEqual({ event: "error", data: errorBody("api_error", "internal proxy error while translating the upstream answer") });
    expect(h.logs.find((l) => l.msg === "translation failed")?.fields).toMatchObject({ error: "TypeError", detail: "dialect bug" });
  });

  it("non-streaming: HTTP 500 api_error without the detail", async () => {
    const h = harness({ dialect: broken, stub: { reply } });
    const res = await h.post("/v1/messages", ok);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual(errorBody("api_error", "internal proxy error"));
  });
});
