// The swe-agent dialect inside the proxy, with the official Anthropic SDK as the client and the vLLM stub
// (hermes and qwen3_coder tool-call fragmentation) behind: what Claude Code receives for each SERA call,
// streamed and not, and the working directory taken from the request itself.
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DIRECTORY_VIEW_DESCRIPTION } from "../../runtime/proxy/dialects/swe-agent/calls.ts";
import { sweAgentDialect } from "../../runtime/proxy/dialects/swe-agent.ts";
import { harness } from "../support/proxy-harness.ts";
import type { StubReply } from "../support/vllm-stub.ts";

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), "swe-proxy-"));
  mkdirSync(join(cwd, "src"));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

// Claude Code 2.1.330 (default model): the environment block is a role:"system" entry in messages.
const messages = () => [
  { role: "user" as const, content: [{ type: "text" as const, text: "Fix it" }] },
  { role: "system" as const, content: `# Environment\n - Primary working directory: ${cwd}\n - Platform: linux` },
];
const tools = [{ name: "Bash", input_schema: { type: "object" as const } }, { name: "Read", input_schema: { type: "object" as const } }];

describe.each(["hermes", "qwen3_coder"] as const)("SERA's calls reach Claude Code as its own tools (%s parser)", (toolParser) => {
  const make = (reply: StubReply) => harness({ dialect: sweAgentDialect, stub: { toolParser, reply: () => reply } });

  it("view of a directory, a file with a range, str_replace and bash in one turn → four tool_use blocks", async () => {
    const h = make({
      toolCalls: [
        { name: "str_replace_editor", arguments: { command: "view", path: "/testbed/src" } },
        { name: "str_replace_editor", arguments: { command: "view", path: "/testbed/src/a.py", view_range: [10, 20] } },
        { name: "str_replace_editor", arguments: { command: "str_replace", path: "/testbed/src/a.py", old_str: "x = 1", new_str: "x = 2" } },
        { name: "bash", arguments: { command: "cd /testbed && python -m pytest -q" } },
      ],
    });
    const msg = await h.client.messages.stream({ model: "claude-opus-4-8", max_tokens: 1000, messages: messages(), tools }).finalMessage();
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.content.map((b) => (b.type === "tool_use" ? [b.name, b.input] : [b.type]))).toEqual([
      ["Bash", { command: `find ${cwd}/src -maxdepth 2 -not -path '${cwd}/src/.*' -not -path '${cwd}/src/*/.*'`, description: DIRECTORY_VIEW_DESCRIPTION }],
      ["Read", { file_path: `${cwd}/src/a.py`, offset: 10, limit: 11 }],
      ["Edit", { file_path: `${cwd}/src/a.py`, old_string: "x = 1", new_string: "x = 2" }],
      ["Bash", { command: `cd ${cwd} && python -m pytest -q` }],
    ]);
    // upstream saw only SERA's tools
    expect(h.stub.requests[0].tools!.map((t) => t.function.name)).toEqual(["str_replace_editor", "bash", "submit"]);
  });

  it("submit ends the turn (end_turn), keeps the model's words and says it submitted", async () => {
    const h = make({ text: "All tests pass.", toolCalls: [{ name: "submit", arguments: {} }] });
    const msg = await h.client.messages.stream({ model: "m", max_tokens: 1000, messages: messages(), tools }).finalMessage();
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.content).toEqual([{ type: "text", text: "All tests pass.\n\nSubmitted." }]);
    // SERA's usual submit: only hidden reasoning — the reply still has visible text
    const bare = await make({ reasoning: "Tests pass.", toolCalls: [{ name: "submit", arguments: {} }] }).client.messages
      .stream({ model: "m", max_tokens: 1000, messages: messages(), tools, thinking: { type: "enabled", budget_tokens: 100 } }).finalMessage();
    expect(bare.stop_reason).toBe("end_turn");
    expect(bare.content).toEqual([{ type: "thinking", thinking: "Tests pass.", signature: "" }, { type: "text", text: "\n\nSubmitted." }]);
  });

  it("non-streaming (Claude Code's fallback) maps the same way", async () => {
    const h = make({ toolCalls: [{ name: "str_replace_editor", arguments: { command: "create", path: "/testbed/new.py", file_text: "print(1)\n" } }] });
    const msg = await h.client.messages.create({ model: "m", max_tokens: 1000, messages: messages(), tools });
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.content).toEqual([{ type: "tool_use", id: expect.stringMatching(/^chatcmpl-tool-/), name: "Write", input: { file_path: `${cwd}/new.py`, content: "print(1)\n" } }]);
    const done = await make({ toolCalls: [{ name: "submit", arguments: {} }] }).client.messages.create({ model: "m", max_tokens: 1000, messages: messages(), tools });
    expect(done.stop_reason).toBe("end_turn");
    expect(done.content.filter((b) => b.type === "tool_use")).toEqual([]);
  });
});

it("without any working directory in the request, the proxy's cwd option is used", async () => {
  const h = harness({
    dialect: sweAgentDialect,
    proxy: { cwd },
    stub: { reply: () => ({ toolCalls: [{ name: "str_replace_editor", arguments: { command: "view", path: "/testbed/a.py" } }] }) },
  });
  const msg = await h.client.messages.create({ model: "m", max_tokens: 100, messages: [{ role: "user", content: "hi" }], tools });
  expect(msg.content).toEqual([expect.objectContaining({ type: "tool_use", name: "Read", input: { file_path: `${cwd}/a.py` } })]);
});
