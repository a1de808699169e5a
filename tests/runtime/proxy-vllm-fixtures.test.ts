// The proxy on what vLLM 0.33 itself streams (tests/fixtures/vllm/, recorded from vLLM's server code and parsers by
// tests/vllm/record-fixtures.py): the stub replays each recording and the Anthropic side must come out right —
// tool-call deltas → tool_use blocks with input_json_delta, reasoning → thinking blocks, finish reasons → stop_reason,
// the usage chunk → usage.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { harness, sseEvents } from "../support/proxy-harness.ts";
import { VLLM_FIXTURES_DIR } from "../support/vllm-stub.ts";

const { scenarios } = JSON.parse(readFileSync(join(VLLM_FIXTURES_DIR, "scenarios.json"), "utf8")) as { scenarios: Array<{ id: string; model: string }> };
const usageOf = (id: string) => {
  const frames = readFileSync(join(VLLM_FIXTURES_DIR, `${id}.sse`), "utf8").split("\n\n").filter((f) => f.startsWith("data: {"));
  return (JSON.parse(frames.at(-1)!.slice(6)) as { usage?: { prompt_tokens: number; completion_tokens: number } }).usage;
};

async function run(id: string, extra: Record<string, unknown> = {}) {
  const s = scenarios.find((x) => x.id === id)!;
  const h = harness({ stub: { model: s.model, reply: () => ({ fixture: id }) }, proxy: { upstream: { baseUrl: "http://vllm.test/v1", model: s.model } } });
  const res = await h.post("/v1/messages", { model: "claude-sonnet-4-5", max_tokens: 1024, stream: true, messages: [{ role: "user", content: "go" }], ...extra });
  expect(res.status).toBe(200);
  const events = await sseEvents(res);
  const msg = await h.client.messages.stream({ model: "claude-sonnet-4-5", max_tokens: 1024, messages: [{ role: "user", content: "go" }], ...extra } as never).finalMessage();
  return { events, msg };
}

const deltaTypes = (events: Array<{ event: string; data: any }>) =>
  events.filter((e) => e.event === "content_block_delta").map((e) => e.data.delta.type);

describe("proxy on vLLM 0.33's recorded streams", () => {
  test("qwen3_coder tool call: text, then a tool_use block built from input_json_delta; stop_reason tool_use; vLLM's usage", async () => {
    const { events, msg } = await run("coder-tool-call");
    expect(msg.content).toEqual([
      { type: "text", text: expect.stringMatching(/^I'll read it\.\s*$/) },
      { type: "tool_use", id: expect.any(String), name: "read_file", input: { path: "package.json", limit: 40 } },
    ]);
    expect(deltaTypes(events)).toContain("input_json_delta");
    expect(events.find((e) => e.event === "content_block_start" && e.data.content_block.type === "tool_use")!.data.content_block).toMatchObject({ name: "read_file", input: {} });
    expect(msg.stop_reason).toBe("tool_use");
    const u = usageOf("coder-tool-call")!;
    expect(msg.usage).toMatchObject({ input_tokens: u.prompt_tokens, output_tokens: u.completion_tokens });
  });

  test("qwen3_coder, two calls in one turn → two tool_use blocks in order", async () => {
    const { msg } = await run("coder-tool-calls");
    expect(msg.content.map((b: any) => [b.type, b.name, b.input])).toEqual([
      ["tool_use", "bash", { command: "ls -la" }],
      ["tool_use", "read_file", { path: "README.md" }],
    ]);
    expect(new Set(msg.content.map((b: any) => b.id)).size).toBe(2);
    expect(msg.stop_reason).toBe("tool_use");
  });

  test("hermes (SERA): the tool call's JSON arguments, streamed token by token, → one tool_use", async () => {
    const { events, msg } = await run("sera-tool-call");
    expect(msg.content).toEqual([{ type: "tool_use", id: expect.any(String), name: "bash", input: { command: "npm test -- --runInBand" } }]);
    expect(deltaTypes(events).filter((t) => t === "input_json_delta").length).toBeGreaterThan(3);
    expect(msg.stop_reason).toBe("tool_use");
  });

  test.each(["coder-text", "sera-text"])("%s: plain text, stop → end_turn", async (id) => {
    const { msg } = await run(id);
    expect(msg.content).toEqual([{ type: "text", text: expect.any(String) }]);
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.usage.output_tokens).toBe(usageOf(id)!.completion_tokens);
  });

  test("qwen3 reasoning (the VL model's `reasoning` deltas) → a thinking block when thinking is on, dropped when off", async () => {
    const on = await run("vlm-reasoning", { thinking: { type: "enabled", budget_tokens: 2048 } });
    expect(on.msg.content).toEqual([
      { type: "thinking", thinking: expect.stringContaining("The user wants a description."), signature: expect.any(String) },
      { type: "text", text: expect.stringContaining("A terminal showing npm test output") },
    ]);
    expect(deltaTypes(on.events)).toContain("thinking_delta");
    const off = await run("vlm-reasoning");
    expect(off.msg.content).toEqual([{ type: "text", text: expect.stringContaining("A terminal showing npm test output") }]);
    expect(JSON.stringify(off.events)).not.toContain("The user wants");
  });

  test.each([["coder-length"], ["clamped-max-tokens"]])("%s: finish_reason length → stop_reason max_tokens", async (id) => {
    const { msg } = await run(id);
    expect(msg.stop_reason).toBe("max_tokens");
    expect(msg.usage.output_tokens).toBe(usageOf(id)!.completion_tokens);
  });

  test("cut off while reasoning: thinking only, max_tokens", async () => {
    const { msg } = await run("vlm-reasoning-length", { thinking: { type: "enabled", budget_tokens: 2048 } });
    expect(msg.content.map((b: any) => b.type)).toEqual(["thinking"]);
    expect(msg.stop_reason).toBe("max_tokens");
  });

  test("a matched stop string (stop_reason \"4\") → stop_sequence when the client asked for it", async () => {
    const { msg } = await run("coder-stop-string", { stop_sequences: ["4"] });
    expect(msg.stop_reason).toBe("stop_sequence");
    expect(msg.stop_sequence).toBe("4");
    expect(msg.content).toEqual([{ type: "text", text: "1, 2, 3, " }]);
  });

  test("no usage chunk (stream_options off): the message still ends cleanly", async () => {
    const { events, msg } = await run("coder-no-usage");
    expect(msg.content).toEqual([{ type: "text", text: "Hi." }]);
    expect(msg.stop_reason).toBe("end_turn");
    expect(events.at(-1)!.event).toBe("message_stop");
  });
});
