// The vLLM stub against recordings of vLLM 0.33's own server (tests/fixtures/vllm/, written by
// tests/vllm/record-fixtures.py and kept current by tests/vllm/fixtures.test.ts):
// - a `{ fixture }` reply is served byte for byte, over the stub's HTTP path;
// - the stub's own length errors are vLLM's recorded bodies for the same numbers;
// - its synthetic replies produce chunks of exactly the recorded shapes (every key and value type), the same text,
//   reasoning, tool calls, finish reasons and usage fields.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createVllmStub, vllmError, vllmLengthCheck, VLLM_FIXTURES_DIR, type StubReply, type VllmStubOptions } from "../support/vllm-stub.ts";

interface Scenario { id: string; model: string; flags: string[]; request: Record<string, unknown>; modelOutput: string; file: string; unstreamed?: string; maxModelLen?: number; promptTokens?: number }
const { scenarios } = JSON.parse(readFileSync(join(VLLM_FIXTURES_DIR, "scenarios.json"), "utf8")) as { scenarios: Scenario[] };
const errors = JSON.parse(readFileSync(join(VLLM_FIXTURES_DIR, "errors.json"), "utf8")) as Array<{ id: string; maxModelLen: number; promptTokens: number; maxTokens: number; status: number; contentType?: string; body: string; model?: string }>;
const fixture = (f: string) => readFileSync(join(VLLM_FIXTURES_DIR, f), "utf8");

const post = (stub: ReturnType<typeof createVllmStub>, body: Record<string, unknown>) =>
  stub.fetch("http://vllm.test/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("fixture replay", () => {
  test.each(scenarios.map((s) => [s.id, s] as const))("%s: the stub serves the recording byte for byte", async (_id, s) => {
    const stub = createVllmStub({ model: s.model, reply: () => ({ fixture: s.id }) });
    const res = await post(stub, s.request);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(await res.text()).toBe(fixture(s.file));
    if (s.unstreamed) {
      const un = await post(stub, { ...s.request, stream: false });
      expect(await un.text()).toBe(fixture(s.unstreamed));
    }
  });

  test("an unknown fixture name fails loudly", async () => {
    const stub = createVllmStub({ reply: () => ({ fixture: "no-such-recording" }) });
    const res = await post(stub, { model: "stub-model", messages: [], stream: true });
    expect(res.status).toBe(500);
  });
});

describe("length errors are vLLM 0.33's", () => {
  test.each(errors.filter((e) => e.id !== "unknown-model").map((e) => [e.id, e] as const))("%s", (_id, e) => {
    const v = vllmLengthCheck(e.maxModelLen, e.promptTokens, e.maxTokens);
    expect(v.error).toBeDefined();
    expect(vllmError(e.status, v.error!.message, "BadRequestError", v.error!.param)).toBe(e.body);
  });

  test("prompt + max_tokens over the window: no error, max_tokens clamped to the room (the recorded stream's usage)", () => {
    const s = scenarios.find((x) => x.id === "clamped-max-tokens")!;
    const usage = JSON.parse(fixture(s.file).split("\n\n").at(-3)!.slice(6)).usage;
    const v = vllmLengthCheck(s.maxModelLen!, s.promptTokens!, s.request.max_tokens as number);
    expect(v.error).toBeUndefined();
    expect(usage.completion_tokens).toBe(v.maxTokens);
    expect(fixture(s.file)).toContain(`"finish_reason":"length"`);
  });

  test("an unknown model: vLLM's 404 body", async () => {
    const e = errors.find((x) => x.id === "unknown-model")!;
    const stub = createVllmStub({ model: "unsloth/Qwen3-Coder-Next-FP8-Dynamic" });
    const res = await post(stub, { model: e.model, messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(e.status);
    expect(await res.text()).toBe(e.body);
  });
});

// ---- synthetic replies: same shapes as the recordings ------------------------------------------------------------

type Chunk = { choices: Array<{ delta: Record<string, any>; finish_reason: string | null; stop_reason?: unknown }>; usage?: Record<string, unknown> };
const frames = (sse: string) => sse.split("\n\n").filter(Boolean).map((f) => f.slice("data: ".length));
const chunks = (sse: string) => frames(sse).filter((f) => f !== "[DONE]").map((f) => JSON.parse(f) as Chunk);

/** A JSON value with every leaf replaced by its type: what must match between the stub and vLLM. */
function shape(v: unknown): unknown {
  if (v === null) return null;
  if (Array.isArray(v)) return v.map(shape);
  if (typeof v === "object") return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, shape(x)]));
  return typeof v;
}
const shapes = (sse: string) => [...new Set(frames(sse).map((f) => (f === "[DONE]" ? f : JSON.stringify(shape(JSON.parse(f))))))].sort();

/** What a client assembles from the chunks. */
function merged(sse: string) {
  const cs = chunks(sse);
  const calls: Record<number, { name: string; arguments: string }> = {};
  let content = "", reasoning = "";
  for (const c of cs) {
    for (const ch of c.choices) {
      content += ch.delta.content ?? "";
      reasoning += ch.delta.reasoning ?? "";
      for (const t of ch.delta.tool_calls ?? []) {
        calls[t.index] ??= { name: "", arguments: "" };
        calls[t.index].name += t.function?.name ?? "";
        calls[t.index].arguments += t.function?.arguments ?? "";
      }
    }
  }
  const fin = cs.flatMap((c) => c.choices).find((ch) => ch.finish_reason !== null)!;
  return { content, reasoning, calls: Object.values(calls), finish: fin.finish_reason, stop: fin.stop_reason ?? null, usageKeys: Object.keys(cs.at(-1)?.usage ?? {}).sort() };
}

/** The scripted reply the recording's model text amounts to, as a stub reply. */
function replyFor(s: Scenario, m: ReturnType<typeof merged>): StubReply {
  return {
    text: m.content, reasoning: m.reasoning || undefined,
    toolCalls: m.calls.length ? m.calls.map((c) => ({ name: c.name, arguments: JSON.parse(c.arguments) })) : undefined,
    finish: m.finish === "length" ? undefined : (m.finish as "stop" | "tool_calls"),
    stopString: typeof m.stop === "string" ? m.stop : undefined,
  };
}

function serverOptions(s: Scenario): VllmStubOptions {
  const parser = s.flags[s.flags.indexOf("--tool-call-parser") + 1];
  return {
    model: s.model,
    toolParser: s.flags.includes("--tool-call-parser") ? (parser as "hermes" | "qwen3_coder") : null,
    reasoningParser: s.flags.includes("--reasoning-parser"),
  };
}

describe("synthetic replies have the recorded shapes", () => {
  test.each(scenarios.map((s) => [s.id, s] as const))("%s", async (_id, s) => {
    const recorded = fixture(s.file);
    const m = merged(recorded);
    // the stub counts 4 characters a token: give it a window that leaves the recorded number of tokens when vLLM cut
    const cutAt = m.finish === "length" ? chunks(recorded).at(-1)!.usage!.completion_tokens as number : undefined;
    const stub = createVllmStub({ ...serverOptions(s), reply: () => replyFor(s, m), maxModelLen: cutAt === undefined ? undefined : 100_000 });
    const req = { ...s.request, ...(cutAt === undefined ? {} : { max_tokens: cutAt }) };
    const text = await (await post(stub, req)).text();
    expect(shapes(text)).toEqual(shapes(recorded));
    const mine = merged(text);
    if (m.finish === "length") {
      // cut after the same number of tokens: the stub's tokens are 4 characters, so compare the finish only
      expect({ finish: mine.finish, stop: mine.stop, usageKeys: mine.usageKeys }).toEqual({ finish: m.finish, stop: m.stop, usageKeys: m.usageKeys });
    } else {
      expect(mine).toEqual(m);
    }
  });

  test("unstreamed answers have the recorded shapes too", async () => {
    for (const s of scenarios.filter((x) => x.unstreamed)) {
      const m = merged(fixture(s.file));
      const stub = createVllmStub({ ...serverOptions(s), reply: () => replyFor(s, m) });
      const body = (await (await post(stub, { ...s.request, stream: false })).json()) as any;
      const recorded = JSON.parse(fixture(s.unstreamed!));
      expect(shape(body)).toEqual(shape(recorded));
      expect(body.choices[0].message.content).toBe(recorded.choices[0].message.content);
      expect(body.choices[0].message.reasoning).toBe(recorded.choices[0].message.reasoning);
      expect(body.choices[0].message.tool_calls?.map((t: any) => [t.function.name, t.function.arguments]))
        .toEqual(recorded.choices[0].message.tool_calls?.map((t: any) => [t.function.name, t.function.arguments]));
    }
  });
});

describe("the VLM stub (non-streamed, Qwen3-VL-Thinking behind --reasoning-parser qwen3)", () => {
  let vlm: import("../support/vlm-stub.ts").VlmStub;
  beforeAll(async () => {
    const { VlmStub } = await import("../support/vlm-stub.ts");
    vlm = await new VlmStub({ maxModelLen: 64 }).start();
  });
  afterAll(() => vlm.stop());
  const ask = (body: Record<string, unknown>) =>
    fetch(`${vlm.endpoint}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: vlm.model, ...body }) });

  test("answers with the recorded chat.completion's shape (reasoning in `reasoning`)", async () => {
    const body = await (await ask({ messages: [{ role: "user", content: "hi" }] })).json();
    expect(shape(body)).toEqual(shape(JSON.parse(fixture("vlm-reasoning.json"))));
  });

  test.each([
    ["max_tokens above the window", { messages: [{ role: "user", content: "hi" }], max_tokens: 100 }, "max-tokens-above-window"],
    ["a prompt above the window", { messages: [{ role: "user", content: "w".repeat(1000) }] }, "prompt-above-window"],
  ])("%s: vLLM's recorded 400 body", async (_label, req, id) => {
    const res = await ask(req);
    expect(res.status).toBe(400);
    expect(await res.text()).toBe(errors.find((e) => e.id === id)!.body);
  });

  test("prompt + max_tokens over the window: clamped, the answer cut with finish_reason length", async () => {
    vlm.enqueue({ kind: "answer", answer: "x".repeat(400) });
    const body = (await (await ask({ messages: [{ role: "user", content: "hi" }], max_tokens: 60 })).json()) as any;
    expect(body.choices[0].finish_reason).toBe("length");
    expect(body.usage.prompt_tokens + body.usage.completion_tokens).toBe(64);
  });
});
