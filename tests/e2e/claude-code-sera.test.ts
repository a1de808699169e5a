// The REAL Claude Code (@anthropic-ai/claude-code, native binary, `-p`, offline) through `sera --proxy-only`
// in swe-agent mode, against a scripted SWE-agent model behind a vLLM-faithful stub (hermes tool calls,
// inline <think>). Claude Code runs its own tools in a temp project: the model views the directory and the
// file, fixes the bug with str_replace, runs a check in bash and submits. Checked: the file on disk, Claude
// Code's exit code and output, and that every upstream request is a SWE-agent trajectory.
import { jest } from "@jest/globals";
import { execa, type ResultPromise } from "execa";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SWE_AGENT_SYSTEM_PROMPT } from "../../runtime/proxy/dialects/swe-agent/tools.ts";
import { BUGGY, FINAL_TEXT, FIXED, SWE_STEPS, sweAgentScript } from "../support/swe-agent-script.ts";
import { createVllmStub, type ChatRequestSeen } from "../support/vllm-stub.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const CLAUDE = join(ROOT, "node_modules", ".bin", "claude");
const SERA = join(ROOT, "runtime", "sera", "bin.js");
const TOKEN = "e2e-proxy-token";
const MODEL = "allenai/SERA-32B";

jest.setTimeout(180_000);

let stub: ReturnType<typeof createVllmStub>;
let upstream: { url: string; close(): Promise<void> };
let sera: ResultPromise<{ env: Record<string, string>; extendEnv: false; reject: false; all: true }>;
let proxyUrl: string;
let seraOutput = "";
let seraEnded = false;
let stateDir: string;
const temp: string[] = [];

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temp.push(d);
  return d;
}

beforeAll(async () => {
  stub = createVllmStub({ reply: (req) => sweAgentScript(req), inlineThink: true, model: MODEL });
  upstream = await stub.listen();
  const state = tempDir("sera-state-");
  stateDir = state;
  sera = execa(process.execPath, [SERA, "--proxy-only", "--endpoint", `${upstream.url}/chat/completions`, "--port", "0"], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: state, XDG_STATE_HOME: state, SERA_PROXY_TOKEN: TOKEN },
    extendEnv: false,
    reject: false,
    all: true,
  });
  void sera.then(() => (seraEnded = true));
  // --proxy-only prints the command that starts Claude Code; the proxy URL is in it.
  proxyUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sera did not print its proxy URL in 30s:\n${seraOutput}`)), 30_000);
    sera.all?.on("data", (chunk: Buffer) => {
      seraOutput += chunk.toString();
      const m = /ANTHROPIC_BASE_URL=(http:\/\/127\.0\.0\.1:\d+) ANTHROPIC_AUTH_TOKEN=(\S+)/.exec(seraOutput);
      if (m) {
        clearTimeout(timer);
        expect(m[2]).toBe(TOKEN);
        resolve(m[1]);
      }
    });
    void sera.then((r) => reject(new Error(`sera exited early (${r.exitCode}):\n${seraOutput}`)));
  });
});

afterAll(async () => {
  try {
    if (sera && !seraEnded) {
      sera.kill("SIGINT");
      let timer: NodeJS.Timeout | undefined;
      const ended = await Promise.race([sera.then(() => true), new Promise<false>((res) => (timer = setTimeout(() => res(false), 15_000)))]);
      clearTimeout(timer);
      if (!ended) sera.kill("SIGKILL");
    }
    await upstream?.close();
  } finally {
    for (const d of temp) rmSync(d, { recursive: true, force: true });
  }
});

async function runClaude(project: string, extraEnv: Record<string, string>) {
  const home = tempDir("cc-home-");
  // NOTES.md: as root, --dangerously-skip-permissions needs IS_SANDBOX=1.
  const root = process.getuid?.() === 0 ? { IS_SANDBOX: "1" } : {};
  return execa(CLAUDE, ["-p", "Fix the bug in calc.py", "--dangerously-skip-permissions"], {
    cwd: project,
    env: {
      PATH: "/usr/local/bin:/usr/bin:/bin",
      HOME: home,
      TERM: "dumb",
      ANTHROPIC_BASE_URL: proxyUrl,
      ANTHROPIC_AUTH_TOKEN: TOKEN,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      ...root,
      ...extraEnv,
    },
    extendEnv: false,
    input: "",
    reject: false,
    timeout: 120_000,
  });
}

const textOf = (m: Record<string, unknown>) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content ?? ""));

function expectSweAgentForm(req: ChatRequestSeen, project: string) {
  expect(req.stream).toBe(true); // no non-streaming fallback: every stream ended properly
  expect(req.model).toBe(MODEL);
  expect(req.tools?.map((t) => t.function.name)).toEqual(["str_replace_editor", "bash", "submit"]);
  expect(req.messages[0]).toEqual({ role: "system", content: SWE_AGENT_SYSTEM_PROMPT });
  expect(req.messages.slice(1).map((m) => m.role)).not.toContain("system");
  expect(req.messages[1]).toEqual({ role: "user", content: "Fix the bug in calc.py" });
  for (const m of req.messages) {
    const text = textOf(m);
    expect(text).not.toMatch(/<system-reminder>|total_tokens|Claude Code|Primary working directory/);
    expect(text).not.toContain(project);
    const calls = (m.tool_calls ?? []) as Array<{ function: { name: string; arguments: string } }>;
    for (const c of calls) {
      expect(["str_replace_editor", "bash"]).toContain(c.function.name);
      expect(c.function.arguments).not.toContain(project);
    }
  }
}

describe.each([
  ["Claude Code's default model", {}],
  ["claude-haiku-4-5 (reminders in every tool result)", { ANTHROPIC_MODEL: "claude-haiku-4-5" }],
])("real Claude Code through `sera --proxy-only` (swe-agent), %s", (_name, modelEnv) => {
  it("views, edits with str_replace, runs bash, submits — the file is fixed and every prompt is SWE-agent form", async () => {
    const project = tempDir("cc-project-");
    writeFileSync(join(project, "calc.py"), BUGGY);
    const before = stub.requests.length;

    const r = await runClaude(project, modelEnv);
    expect({ exitCode: r.exitCode, timedOut: r.timedOut }).toEqual({ exitCode: 0, timedOut: false });
    expect(String(r.stdout).trim()).toBe(FINAL_TEXT);
    expect(readFileSync(join(project, "calc.py"), "utf8")).toBe(FIXED);

    const seen = stub.requests.slice(before);
    // one request per step plus the one answered with submit
    expect(seen).toHaveLength(SWE_STEPS.length + 1);
    for (const req of seen) expectSweAgentForm(req, project);
    // each prompt extends the previous one unchanged: vLLM's prefix cache would hit on every turn
    for (let i = 1; i < seen.length; i++) {
      expect(JSON.stringify(seen[i].messages.slice(0, seen[i - 1].messages.length))).toBe(JSON.stringify(seen[i - 1].messages));
    }

    const last = seen[seen.length - 1].messages;
    const calls = last.flatMap((m) => ((m.tool_calls ?? []) as Array<{ function: { name: string; arguments: string } }>))
      .map((c) => ({ name: c.function.name, arguments: JSON.parse(c.function.arguments) as unknown }));
    // The model's calls come back as it made them (Claude Code drops a leading `cd <cwd> &&` from Bash commands).
    expect(calls).toEqual([
      SWE_STEPS[0], SWE_STEPS[1], SWE_STEPS[2],
      { name: "bash", arguments: { command: "grep -n 'a + b' calc.py" } },
    ]);
    expect(last.filter((m) => m.role === "tool").map((m) => m.content)).toEqual([
      "Here's the files and directories up to 2 levels deep in /testbed, excluding hidden items:\n/testbed\n/testbed/calc.py\n\n",
      "Here's the result of running `cat -n` on /testbed/calc.py:\n     1\tdef add(a, b):\n     2\t    return a - b\n     3\t\n     4\t\n     5\tdef sub(a, b):\n     6\t    return a - b\n     7\t\n",
      "The file /testbed/calc.py has been edited. Here's the result of running `cat -n` on a snippet of /testbed/calc.py:\n     1\tdef add(a, b):\n     2\t    return a + b\n     3\t\n     4\t\n     5\tdef sub(a, b):\nReview the changes and make sure they are as expected. Edit the file again if necessary.",
      "2:    return a + b",
    ]);
    // sera's log (state dir): one id per proxied request, no secret
    const log = readFileSync(join(stateDir, "coding-agent-server", "sera.log"), "utf8");
    const ids = new Set(log.trim().split("\n").map((l) => (JSON.parse(l) as { requestId?: string }).requestId).filter(Boolean));
    expect(ids.size).toBeGreaterThanOrEqual(seen.length);
    expect(log).not.toContain(TOKEN);
    // the model's reasoning (inline <think> from vLLM) went to Claude Code as thinking and comes back in place
    expect(last.filter((m) => m.role === "assistant").map((m) => m.content)).toEqual(
      SWE_STEPS.map((s, i) => `<think>\nStep ${i + 1}: ${s.arguments.command}.\n</think>`),
    );
  });
});

describe("Claude Code's side requests through the same sera proxy", () => {
  it("a session-title request (no tools, JSON output format) gets a plain completion, no SWE-agent tools", async () => {
    const captured = JSON.parse(readFileSync(new URL("../fixtures/swe-agent/cc-2.1.197-side-request-session-title.json", import.meta.url), "utf8")) as Record<string, unknown>;
    const before = stub.requests.length;
    const res = await fetch(`${proxyUrl}/v1/messages?beta=true`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}`, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ ...captured, stream: false }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { type: string; content: Array<{ type: string; text?: string }>; stop_reason: string };
    expect(body.type).toBe("message");
    expect(body.stop_reason).toBe("end_turn");
    expect(body.content.filter((b) => b.type === "text").map((b) => b.text).join("")).toBe('{"title": "Fix add in calc.py"}');
    const upstreamReq = stub.requests[before];
    expect(upstreamReq.tools).toBeUndefined();
    expect(textOf(upstreamReq.messages[0])).toContain("Generate a concise, sentence-case title");
  });

  it("the proxy refuses a client without sera's token", async () => {
    const res = await fetch(`${proxyUrl}/v1/messages`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": "wrong" }, body: "{}" });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe("authentication_error");
  });
});
