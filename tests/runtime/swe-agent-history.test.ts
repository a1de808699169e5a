// Claude Code histories (captured requests + synthetic ones) rendered as SWE-agent trajectories, and the
// statelessness promise: the same history → the same bytes, in any instance, in any process, in any order.
import { readFileSync } from "node:fs";
import { execa } from "execa";
import { createSweAgentDialect } from "../../runtime/proxy/dialects/swe-agent.ts";
import { SWE_AGENT_SYSTEM_PROMPT } from "../../runtime/proxy/dialects/swe-agent/tools.ts";
import type { AnthropicMessage, AnthropicRequest, OpenAIMessage } from "../../runtime/proxy/types.ts";

const FIXTURES = new URL("../fixtures/swe-agent/", import.meta.url);
const fixture = (name: string): AnthropicRequest => JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8")) as AnthropicRequest;
const CWD = "/home/dev/project";
const dialect = () => createSweAgentDialect({ isDirectory: (p) => p === CWD || p === `${CWD}/src` });

function allText(messages: readonly OpenAIMessage[]): string {
  return messages.map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content ?? ""))).join("\n");
}

describe("captured Claude Code 2.1.197 requests", () => {
  const multi = fixture("cc-2.1.197-multi-tool-final-turn.json");

  it("offers only SERA's tools and its minimal system prompt", () => {
    const p = dialect().toUpstream(multi, { cwd: CWD });
    expect(p.tools?.map((t) => t.function.name)).toEqual(["str_replace_editor", "bash", "submit"]);
    expect(p.tools?.[0].function.parameters).toMatchObject({ properties: { command: { enum: ["view", "create", "str_replace"] } }, required: ["command", "path"] });
    expect(p.messages[0]).toEqual({ role: "system", content: SWE_AGENT_SYSTEM_PROMPT });
    expect(p.messages.filter((m) => m.role === "system")).toHaveLength(1);
  });

  it("drops Claude Code's insertions: reminders, mid-conversation system entries, its prompt", () => {
    const p = dialect().toUpstream(multi, { cwd: CWD });
    const text = allText(p.messages);
    expect(text).not.toContain("<system-reminder>");
    expect(text).not.toContain("Available agent types");
    expect(text).not.toContain("The task tools haven't been used recently");
    expect(text).not.toContain("Claude");
    expect(text).not.toContain(CWD);
    expect(p.messages[1]).toEqual({ role: "user", content: "exercise tools" });
  });

  it("renders every turn as SWE-agent: calls reverse-mapped, results as SWE-agent prints them", () => {
    const p = dialect().toUpstream(multi, { cwd: CWD });
    const calls = p.messages.flatMap((m) => (m.role === "assistant" && m.tool_calls ? m.tool_calls : []));
    expect(calls.map((c) => [c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      ["str_replace_editor", { command: "create", path: "/testbed/hello.txt", file_text: "Hello from the stub model!\n" }],
      ["str_replace_editor", { command: "view", path: "/testbed/hello.txt" }],
      ["str_replace_editor", { command: "str_replace", path: "/testbed/hello.txt", old_str: "Hello", new_str: "Hi" }],
      ["bash", { command: "cat hello.txt; echo to-stderr >&2; exit 3" }],
      ["Glob", { pattern: "*.txt" }],
      ["Grep", { pattern: "Hi", output_mode: "content" }],
      ["str_replace_editor", { command: "view", path: "/testbed/missing.txt" }],
    ]);
    const results = p.messages.filter((m) => m.role === "tool").map((m) => m.content);
    expect(results).toEqual([
      "File created successfully at: /testbed/hello.txt",
      "Here's the result of running `cat -n` on /testbed/hello.txt:\n     1\tHello from the stub model!\n     2\t\n",
      "The file /testbed/hello.txt has been edited. Here's the result of running `cat -n` on a snippet of /testbed/hello.txt:\n     1\tHi from the stub model!\nReview the changes and make sure they are as expected. Edit the file again if necessary.",
      "Exit code 3\nHi from the stub model!\nto-stderr",
      "hello.txt",
      "hello.txt:1:Hi from the stub model!",
      "ERROR: The operation was NOT performed. File does not exist. Note: your current working directory is /testbed.",
    ]);
    // Each tool message answers the call right before it, in order.
    const ids = p.messages.flatMap((m) => (m.role === "tool" ? [m.tool_call_id] : []));
    expect(ids).toEqual(calls.map((c) => c.id));
  });

  it("a side request without tools (session title) stays a plain completion with its own instructions", () => {
    const p = dialect().toUpstream(fixture("cc-2.1.197-side-request-session-title.json"), { cwd: CWD });
    expect(p.tools).toBeUndefined();
    expect(p.messages[0].role).toBe("system");
    expect(p.messages[0].content).toContain("Generate a concise, sentence-case title");
    expect(p.messages[0].content).not.toContain("x-anthropic-billing-header");
    expect(p.messages[1]).toEqual({ role: "user", content: expect.stringContaining("<session>\ncreate hello.txt\n</session>") });
  });
});

describe("captured Claude Code 2.1.330 requests (opus: environment as a system entry; haiku: reminders everywhere)", () => {
  const opus = fixture("cc-2.1.330-opus-final-turn.json");
  const haiku = fixture("cc-2.1.330-haiku-final-turn.json");
  const withoutIds = (messages: readonly OpenAIMessage[]) =>
    JSON.stringify(messages).replace(/chatcmpl-tool-[0-9a-f]+/g, "ID");

  it("both model names render to the same SWE-agent trajectory", () => {
    const a = dialect().toUpstream(opus, { cwd: CWD });
    const b = dialect().toUpstream(haiku, { cwd: CWD });
    expect(withoutIds(b.messages)).toBe(withoutIds(a.messages));
    expect(allText(a.messages)).not.toMatch(/system-reminder|total_tokens|Environment|Claude|\/home\/dev/);
  });

  it("renders the real Read output (and haiku's trimmed last line) as SWE-agent's cat -n", () => {
    for (const req of [opus, haiku]) {
      const p = dialect().toUpstream(req, { cwd: CWD });
      const tools = p.messages.filter((m) => m.role === "tool").map((m) => m.content);
      expect(tools).toEqual([
        "Here's the files and directories up to 2 levels deep in /testbed, excluding hidden items:\n/testbed\n/testbed/calc.py\n\n",
        "Here's the result of running `cat -n` on /testbed/calc.py:\n     1\tdef add(a, b):\n     2\t    return a - b\n     3\t\n     4\t\n     5\tdef sub(a, b):\n     6\t    return a - b\n     7\t\n",
        "The file /testbed/calc.py has been edited. Here's the result of running `cat -n` on a snippet of /testbed/calc.py:\n     1\tdef add(a, b):\n     2\t    return a + b\n     3\t\n     4\t\n     5\tdef sub(a, b):\nReview the changes and make sure they are as expected. Edit the file again if necessary.",
        "2:    return a + b",
      ]);
    }
  });

  it("without a known working directory, local paths are left as they are (never guessed)", () => {
    const p = dialect().toUpstream(opus, {});
    expect(allText(p.messages)).toContain("/home/dev/project");
  });
});

// A session as Claude Code 2.1.330 shapes it for claude-haiku-4-5 / claude-opus-4-8: the environment as a
// role:"system" entry, <total_tokens> notes, a reminder appended to every tool result, thinking blocks.
function session330(): AnthropicMessage[][] {
  const tokens = (n: number) => `\n\n<system-reminder>\n<total_tokens>${n} tokens left</total_tokens>\n</system-reminder>`;
  const turns: AnthropicMessage[][] = [];
  const base: AnthropicMessage[] = [
    { role: "user", content: [{ type: "text", text: "<system-reminder>\n# currentDate\nToday's date is 2026-11-21.\n</system-reminder>\n" }, { type: "text", text: "Fix add() in calc.py" }] },
    { role: "system", content: `# Environment\n - Working directory: ${CWD}\n - Platform: linux` },
  ];
  turns.push(base);
  const t1: AnthropicMessage[] = [
    ...base,
    { role: "assistant", content: [
      { type: "thinking", thinking: "Look at the repo first.", signature: "sig" },
      { type: "tool_use", id: "chatcmpl-tool-1", name: "Bash", input: { command: `find ${CWD} -maxdepth 2 -not -path '${CWD}/.*' -not -path '${CWD}/*/.*'`, description: "List files up to 2 levels deep (str_replace_editor view)" } },
    ] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "chatcmpl-tool-1", content: `${CWD}\n${CWD}/calc.py` + tokens(90000) }] },
    { role: "system", content: "<total_tokens>90000 tokens left</total_tokens>" },
  ];
  turns.push(t1);
  const t2: AnthropicMessage[] = [
    ...t1,
    { role: "assistant", content: [{ type: "tool_use", id: "chatcmpl-tool-2", name: "Read", input: { file_path: `${CWD}/calc.py` } }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "chatcmpl-tool-2", content: "1\tdef add(a, b):\n2\t    return a - b\n3\t" + tokens(89000) }] },
  ];
  turns.push(t2);
  const t3: AnthropicMessage[] = [
    ...t2,
    { role: "assistant", content: [
      { type: "text", text: "The bug: subtraction." },
      { type: "tool_use", id: "chatcmpl-tool-3", name: "Edit", input: { replace_all: false, file_path: `${CWD}/calc.py`, old_string: "return a - b", new_string: "return a + b" } },
    ] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "chatcmpl-tool-3", content: `The file ${CWD}/calc.py has been updated successfully. (file state is current in your context — no need to Read it back)` + tokens(88000) }] },
  ];
  turns.push(t3);
  const t4: AnthropicMessage[] = [
    ...t3,
    { role: "assistant", content: [{ type: "tool_use", id: "chatcmpl-tool-4", name: "Bash", input: { command: `cd ${CWD} && python -c 'import calc; print(calc.add(2, 3))'` } }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "chatcmpl-tool-4", content: "5" + tokens(87000) }] },
  ];
  turns.push(t4);
  return turns;
}

const request = (messages: AnthropicMessage[], sessionTag = ""): AnthropicRequest => ({
  model: "claude-haiku-4-5",
  max_tokens: 32000,
  stream: true,
  system: [{ type: "text", text: `x-anthropic-billing-header: cc_version=2.1.330.${sessionTag}; cc_entrypoint=sdk-cli;` }, { type: "text", text: "You are Claude Code." }],
  tools: [{ name: "Bash", input_schema: { type: "object" } }, { name: "Read", input_schema: { type: "object" } }],
  thinking: { type: "adaptive" },
  messages,
});

describe("Claude Code 2.1.330-shaped sessions", () => {
  const turns = session330();

  it("renders the whole session in SWE-agent form (the edit snippet stops at splitlines(), as SWE-agent's does)", () => {
    const p = dialect().toUpstream(request(turns[4]), { cwd: CWD });
    expect(p.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool", "assistant", "tool", "assistant", "tool", "assistant", "tool"]);
    expect(p.messages[1]).toEqual({ role: "user", content: "Fix add() in calc.py" });
    expect(p.messages[2]).toMatchObject({ role: "assistant", content: "<think>\nLook at the repo first.\n</think>", tool_calls: [{ function: { name: "str_replace_editor", arguments: '{"command":"view","path":"/testbed"}' } }] });
    expect(p.messages[3]).toMatchObject({ content: "Here's the files and directories up to 2 levels deep in /testbed, excluding hidden items:\n/testbed\n/testbed/calc.py\n\n" });
    expect(p.messages[5]).toMatchObject({ content: "Here's the result of running `cat -n` on /testbed/calc.py:\n     1\tdef add(a, b):\n     2\t    return a - b\n     3\t\n" });
    expect(p.messages[6]).toMatchObject({ content: "The bug: subtraction." });
    expect(p.messages[7]).toMatchObject({
      content: "The file /testbed/calc.py has been edited. Here's the result of running `cat -n` on a snippet of /testbed/calc.py:\n     1\tdef add(a, b):\n     2\t    return a + b\nReview the changes and make sure they are as expected. Edit the file again if necessary.",
    });
    expect(p.messages[8]).toMatchObject({ tool_calls: [{ function: { name: "bash", arguments: JSON.stringify({ command: "cd /testbed && python -c 'import calc; print(calc.add(2, 3))'" }) } }] });
    expect(p.messages[9]).toMatchObject({ content: "5" });
    expect(allText(p.messages)).not.toMatch(/total_tokens|system-reminder|Working directory/);
  });

  it("each turn's prompt is a prefix of the next one's (vLLM's prefix cache keeps hitting)", () => {
    const d = dialect();
    const rendered = turns.map((t) => d.toUpstream(request(t), { cwd: CWD }));
    for (let i = 1; i < rendered.length; i++) {
      const prev = rendered[i - 1].messages;
      expect(JSON.stringify(rendered[i].messages.slice(0, prev.length))).toBe(JSON.stringify(prev));
      expect(JSON.stringify(rendered[i].tools)).toBe(JSON.stringify(rendered[0].tools));
    }
  });

  it("the billing header's per-session suffix does not change the prompt", () => {
    const a = dialect().toUpstream(request(turns[4], "595"), { cwd: CWD });
    const b = dialect().toUpstream(request(turns[4], "e6a"), { cwd: CWD });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});

describe("the proxy's submit note", () => {
  it("is taken out of the assistant's words when the history goes back to the model", () => {
    const msgs = (text: string): AnthropicMessage[] => [
      { role: "user", content: "task" },
      { role: "assistant", content: [{ type: "thinking", thinking: "done", signature: "" }, { type: "text", text }] },
      { role: "user", content: "one more thing" },
    ];
    const render = (text: string) => dialect().toUpstream(request(msgs(text)), { cwd: CWD }).messages.slice(1);
    expect(render("\n\nSubmitted.")).toEqual([{ role: "user", content: "task" }, { role: "assistant", content: "<think>\ndone\n</think>" }, { role: "user", content: "one more thing" }]);
    expect(render("All green.\n\nSubmitted.")[1]).toEqual({ role: "assistant", content: "<think>\ndone\n</think>\n\nAll green." });
    expect(render("Not Submitted. Yet")[1]).toEqual({ role: "assistant", content: "<think>\ndone\n</think>\n\nNot Submitted. Yet" });
  });
});

describe("no per-process state", () => {
  const turns = session330();
  const multi = fixture("cc-2.1.197-multi-tool-final-turn.json");
  const other = (t: AnthropicMessage[]) => request(JSON.parse(JSON.stringify(t).replaceAll("calc.py", "other.py").replaceAll("chatcmpl-tool-", "x-")) as AnthropicMessage[]);

  it("two fresh instances render the same history to the same bytes", () => {
    for (const t of turns) {
      expect(JSON.stringify(dialect().toUpstream(request(t), { cwd: CWD }))).toBe(JSON.stringify(dialect().toUpstream(request(t), { cwd: CWD })));
    }
  });

  it("interleaving two sessions in one instance changes nothing (and re-sending a turn gives the same bytes)", () => {
    const shared = dialect();
    const interleaved: string[] = [];
    for (let i = 0; i < turns.length; i++) {
      interleaved.push(JSON.stringify(shared.toUpstream(request(turns[i]), { cwd: CWD })));
      shared.toUpstream(other(turns[turns.length - 1 - i]), { cwd: "/elsewhere" });
      shared.toUpstream(multi, { cwd: CWD });
    }
    turns.forEach((t, i) => expect(interleaved[i]).toBe(JSON.stringify(dialect().toUpstream(request(t), { cwd: CWD }))));
    expect(JSON.stringify(shared.toUpstream(request(turns[2]), { cwd: CWD }))).toBe(interleaved[2]);
  });

  it("a separate Node process renders the same bytes", async () => {
    const script = [
      `import { readFileSync } from "node:fs";`,
      `import { createSweAgentDialect } from ${JSON.stringify(new URL("../../runtime/proxy/dialects/swe-agent.ts", import.meta.url).pathname)};`,
      `const req = JSON.parse(readFileSync(0, "utf8"));`,
      `const d = createSweAgentDialect({ isDirectory: () => false });`,
      `process.stdout.write(JSON.stringify(d.toUpstream(req, { cwd: ${JSON.stringify(CWD)} })));`,
    ].join("\n");
    for (const req of [multi, request(turns[4])]) {
      const { stdout } = await execa(process.execPath, ["--input-type=module", "-e", script], { input: JSON.stringify(req), timeout: 20_000 });
      expect(stdout).toBe(JSON.stringify(dialect().toUpstream(req, { cwd: CWD })));
    }
  });

  it("rendering does not mutate the request", () => {
    const req = request(turns[4]);
    const before = JSON.stringify(req);
    dialect().toUpstream(req, { cwd: CWD });
    expect(JSON.stringify(req)).toBe(before);
  });
});
