// SWE-agent calls ⇄ Claude Code tool_use: the mapping each way, and that going there and back gives the model
// its own call again (so its history reads as it wrote it).
import fc from "fast-check";
import { createSweAgentDialect } from "../../runtime/proxy/dialects/swe-agent.ts";
import {
  DIRECTORY_VIEW_DESCRIPTION, directoryListingCommand, forwardCall, reverseCall, type SweCall,
} from "../../runtime/proxy/dialects/swe-agent/calls.ts";
import {
  commandToLocal, shellQuote, shellUnquote, textToSwe, toLocalPath, toSwePath,
} from "../../runtime/proxy/dialects/swe-agent/paths.ts";
import { SUBMITTED_NOTE } from "../../runtime/proxy/dialects/swe-agent/tools.ts";

const CWD = "/home/dev/project";
const dirs = new Set([CWD, `${CWD}/src`, `${CWD}/my dir`]);
const ctx = { cwd: CWD, isDirectory: (p: string) => dirs.has(p) };

describe("paths: /testbed ⇄ working directory", () => {
  it.each([
    ["/testbed", CWD],
    ["/testbed/", CWD],
    ["/testbed/a.py", `${CWD}/a.py`],
    ["/testbed/src/x/y.ts", `${CWD}/src/x/y.ts`],
    ["a.py", `${CWD}/a.py`],
    ["./a.py", `${CWD}/a.py`],
    ["/etc/hosts", "/etc/hosts"],
    ["/testbedx/a", "/testbedx/a"],
  ])("toLocalPath(%j) = %j", (swe, local) => {
    expect(toLocalPath(swe, CWD)).toBe(local);
  });

  it.each([
    [CWD, "/testbed"],
    [`${CWD}/`, "/testbed"],
    [`${CWD}/a.py`, "/testbed/a.py"],
    ["a.py", "/testbed/a.py"],
    ["/etc/hosts", "/etc/hosts"],
    [`${CWD}2/a.py`, `${CWD}2/a.py`],
  ])("toSwePath(%j) = %j", (local, swe) => {
    expect(toSwePath(local, CWD)).toBe(swe);
  });

  it("without a known working directory /testbed becomes relative, as in the seed", () => {
    expect(toLocalPath("/testbed/a.py", undefined)).toBe("a.py");
    expect(toLocalPath("/testbed", undefined)).toBe(".");
    expect(toSwePath("a.py", undefined)).toBe("/testbed/a.py");
    expect(commandToLocal("cd /testbed && ls /testbed/src", undefined)).toBe("cd . && ls ./src");
  });

  it.each([
    ["cd /testbed && pytest", `cd ${CWD} && pytest`],
    ["python /testbed/a.py", `python ${CWD}/a.py`],
    ["cat '/testbed/a b.txt'", `cat '${CWD}/a b.txt'`],
    ["X=/testbed/bin:$PATH", `X=${CWD}/bin:$PATH`],
    ["ls /home/testbed /x/testbed/y", "ls /home/testbed /x/testbed/y"],
    ["grep -r foo /testbed;echo", `grep -r foo ${CWD};echo`],
  ])("commandToLocal(%j)", (cmd, local) => {
    expect(commandToLocal(cmd, CWD)).toBe(local);
    expect(textToSwe(local, CWD)).toBe(cmd);
  });

  it("shell quoting round-trips any string", () => {
    fc.assert(fc.property(fc.string(), (s) => expect(shellUnquote(shellQuote(s))).toBe(s)));
  });
});

describe("forwardCall: the model's call → Claude Code's tool", () => {
  it.each<[string, SweCall, unknown]>([
    ["bash → Bash with /testbed mapped", { name: "bash", args: { command: "cd /testbed && ls" } },
      { kind: "tool_use", name: "Bash", input: { command: `cd ${CWD} && ls` } }],
    ["view of a file → Read", { name: "str_replace_editor", args: { command: "view", path: "/testbed/a.py" } },
      { kind: "tool_use", name: "Read", input: { file_path: `${CWD}/a.py` } }],
    ["view_range [3, 7] → offset 3, limit 5",
      { name: "str_replace_editor", args: { command: "view", path: "/testbed/a.py", view_range: [3, 7] } },
      { kind: "tool_use", name: "Read", input: { file_path: `${CWD}/a.py`, offset: 3, limit: 5 } }],
    ["view_range [10, -1] → offset only",
      { name: "str_replace_editor", args: { command: "view", path: "/testbed/a.py", view_range: [10, -1] } },
      { kind: "tool_use", name: "Read", input: { file_path: `${CWD}/a.py`, offset: 10 } }],
    ["a malformed view_range shows the whole file",
      { name: "str_replace_editor", args: { command: "view", path: "/testbed/a.py", view_range: [5] } },
      { kind: "tool_use", name: "Read", input: { file_path: `${CWD}/a.py` } }],
    ["view of a directory → Bash find, depth 2, hidden excluded",
      { name: "str_replace_editor", args: { command: "view", path: "/testbed" } },
      { kind: "tool_use", name: "Bash",
        input: { command: `find ${CWD} -maxdepth 2 -not -path '${CWD}/.*' -not -path '${CWD}/*/.*'`, description: DIRECTORY_VIEW_DESCRIPTION } }],
    ["create → Write", { name: "str_replace_editor", args: { command: "create", path: "/testbed/n.py", file_text: "x = 1\n" } },
      { kind: "tool_use", name: "Write", input: { file_path: `${CWD}/n.py`, content: "x = 1\n" } }],
    ["str_replace → Edit", { name: "str_replace_editor", args: { command: "str_replace", path: "/testbed/a.py", old_str: "a", new_str: "b" } },
      { kind: "tool_use", name: "Edit", input: { file_path: `${CWD}/a.py`, old_string: "a", new_string: "b" } }],
    ["str_replace without new_str deletes old_str", { name: "str_replace_editor", args: { command: "str_replace", path: "/testbed/a.py", old_str: "a" } },
      { kind: "tool_use", name: "Edit", input: { file_path: `${CWD}/a.py`, old_string: "a", new_string: "" } }],
    ["submit → end of turn", { name: "submit", args: {} }, { kind: "end_turn" }],
    ["an editor command SERA was not offered passes through (Claude Code refuses it)",
      { name: "str_replace_editor", args: { command: "insert", path: "/testbed/a.py", insert_line: 1, new_str: "x" } },
      { kind: "tool_use", name: "str_replace_editor", input: { command: "insert", path: "/testbed/a.py", insert_line: 1, new_str: "x" } }],
  ])("%s", (_title, call, expected) => {
    expect(forwardCall(call, ctx)).toEqual(expected);
  });

  it("the directory listing command lists exactly what SWE-agent's does: depth 2, no hidden entries", async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { execa } = await import("execa");
    // The project sits below a hidden directory: SWE-agent's '*/\.*' pattern would hide everything here.
    const root = mkdtempSync(`${tmpdir()}/swe-find-`);
    const dir = `${root}/.hidden parent/pro'ject`;
    try {
      mkdirSync(`${dir}/src/deep/deeper`, { recursive: true });
      mkdirSync(`${dir}/.git`, { recursive: true });
      writeFileSync(`${dir}/.git/config`, "");
      writeFileSync(`${dir}/src/.env`, "");
      writeFileSync(`${dir}/src/a.py`, "");
      writeFileSync(`${dir}/README.md`, "");
      const { stdout } = await execa("bash", ["-c", directoryListingCommand(dir)]);
      expect(stdout.split("\n").sort()).toEqual([dir, `${dir}/README.md`, `${dir}/src`, `${dir}/src/a.py`, `${dir}/src/deep`].sort());
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("reverseCall: Claude Code's tool_use → the model's call", () => {
  it("maps Claude Code's own calls (e.g. after the user typed a request) into SWE-agent terms", () => {
    expect(reverseCall({ name: "Read", input: { file_path: `${CWD}/a.py`, limit: 20 } }, CWD))
      .toEqual({ name: "str_replace_editor", args: { command: "view", path: "/testbed/a.py", view_range: [1, 20] } });
    expect(reverseCall({ name: "Edit", input: { replace_all: false, file_path: `${CWD}/a`, old_string: "x", new_string: "y" } }, CWD))
      .toEqual({ name: "str_replace_editor", args: { command: "str_replace", path: "/testbed/a", old_str: "x", new_str: "y" } });
    expect(reverseCall({ name: "Glob", input: { pattern: "*.txt" } }, CWD)).toEqual({ name: "Glob", args: { pattern: "*.txt" } });
  });

  it("a find the model ran itself stays a bash call (only the marked listing is a view)", () => {
    const command = directoryListingCommand(CWD);
    expect(reverseCall({ name: "Bash", input: { command } }, CWD)).toEqual({ name: "bash", args: { command: textToSwe(command, CWD) } });
    expect(reverseCall({ name: "Bash", input: { command, description: DIRECTORY_VIEW_DESCRIPTION } }, CWD))
      .toEqual({ name: "str_replace_editor", args: { command: "view", path: "/testbed" }, directory: true });
  });

  const segment = fc.stringMatching(/^[a-z0-9_.-]{1,8}$/).filter((s) => s !== "." && s !== "..");
  const swePath = fc.array(segment, { minLength: 1, maxLength: 4 }).map((p) => `/testbed/${p.join("/")}`);
  const text = fc.string({ maxLength: 40 });
  const word = fc.constantFrom("ls", "cd", "/testbed", "/testbed/src", "&&", "'/testbed/a b'", "x=/testbed", "|", "grep", "-r", "/tmp/testbed");
  const sweCall: fc.Arbitrary<SweCall> = fc.oneof(
    fc.record({ p: swePath }).map(({ p }) => ({ name: "str_replace_editor", args: { command: "view", path: p } })),
    fc.record({ p: swePath, a: fc.integer({ min: 1, max: 500 }), n: fc.integer({ min: 0, max: 50 }) })
      .map(({ p, a, n }) => ({ name: "str_replace_editor", args: { command: "view", path: p, view_range: [a, a + n] } })),
    fc.record({ p: swePath, a: fc.integer({ min: 1, max: 500 }) })
      .map(({ p, a }) => ({ name: "str_replace_editor", args: { command: "view", path: p, view_range: [a, -1] } })),
    fc.constantFrom("/testbed", "/testbed/src", "/testbed/my dir")
      .map((p) => ({ name: "str_replace_editor", args: { command: "view", path: p } })),
    fc.record({ p: swePath, t: text }).map(({ p, t }) => ({ name: "str_replace_editor", args: { command: "create", path: p, file_text: t } })),
    fc.record({ p: swePath, o: text, n: text })
      .map(({ p, o, n }) => ({ name: "str_replace_editor", args: { command: "str_replace", path: p, old_str: o, new_str: n } })),
    fc.array(word, { minLength: 1, maxLength: 8 }).map((w) => ({ name: "bash", args: { command: w.join(" ") } })),
  );

  it("reverseCall(forwardCall(call)) gives the model's call back", () => {
    fc.assert(
      fc.property(sweCall, (call) => {
        const fwd = forwardCall(call, ctx);
        if (fwd.kind !== "tool_use") throw new Error("expected a tool_use");
        const back = reverseCall({ name: fwd.name, input: fwd.input }, CWD);
        expect({ name: back.name, args: back.args }).toEqual(call);
      }),
      { numRuns: 500 },
    );
  });
});

describe("the dialect's fromToolCall", () => {
  const dialect = createSweAgentDialect({ isDirectory: (p) => p === CWD });
  it("keeps the upstream call id and maps the call", () => {
    const out = dialect.fromToolCall({ id: "chatcmpl-tool-1", name: "str_replace_editor", arguments: '{"command":"view","path":"/testbed"}' }, { cwd: CWD });
    expect(out).toEqual({ kind: "tool_use", id: "chatcmpl-tool-1", name: "Bash", input: expect.objectContaining({ description: DIRECTORY_VIEW_DESCRIPTION }) });
  });
  it("submit ends the turn with a visible note (no tool_use → end_turn; Claude Code nudges empty replies)", () => {
    expect(dialect.fromToolCall({ id: "c2", name: "submit", arguments: "{}" }, { cwd: CWD })).toEqual({ kind: "text", text: SUBMITTED_NOTE });
    expect(dialect.fromToolCall({ id: "c3", name: "submit", arguments: "" }, { cwd: CWD })).toEqual({ kind: "text", text: SUBMITTED_NOTE });
  });
  it("arguments that are not a JSON object become text the user can see, not a broken tool call", () => {
    const out = dialect.fromToolCall({ id: "c4", name: "bash", arguments: '{"command": "ls' }, { cwd: CWD });
    expect(out).toEqual({ kind: "text", text: expect.stringContaining('bash with arguments that are not a JSON object: {"command": "ls') });
  });
  it("does not stream argument fragments (a call is mapped once complete)", () => {
    expect(dialect.streamsToolArguments).toBe(false);
    expect(dialect.name).toBe("swe-agent");
  });
});
