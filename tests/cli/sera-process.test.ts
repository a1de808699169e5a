// The `sera` executable as users run it (node runtime/sera/bin.js, what `npx sera` starts): it launches the
// real Claude Code and exits with its code, stops cleanly on Ctrl+C, and reports usage errors with exit 2.
import { execa } from "execa";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUGGY, FINAL_TEXT, FIXED, sweAgentScript } from "../support/swe-agent-script.ts";
import { createVllmStub } from "../support/vllm-stub.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const SERA = join(ROOT, "runtime", "sera", "bin.js");
const dirs: string[] = [];
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};
let upstream: { url: string; close(): Promise<void> };

beforeAll(async () => {
  upstream = await createVllmStub({ model: "allenai/SERA-32B", inlineThink: true, reply: (r) => sweAgentScript(r) }).listen();
});
afterAll(async () => {
  await upstream.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function seraEnv(): Record<string, string> {
  const home = tmp("sera-home-");
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    XDG_STATE_HOME: join(home, "state"),
    TERM: "dumb",
    // NOTES.md root gotcha: Claude Code refuses --dangerously-skip-permissions as root without it
    ...(process.getuid?.() === 0 ? { IS_SANDBOX: "1" } : {}),
  };
}

it("`sera --endpoint URL -- -p …` runs the real Claude Code on the proxy and exits with its code (0)", async () => {
  const project = tmp("sera-project-");
  writeFileSync(join(project, "calc.py"), BUGGY);
  const r = await execa(process.execPath, [SERA, "--endpoint", upstream.url, "--port", "0", "--", "-p", "Fix the bug in calc.py", "--dangerously-skip-permissions"], {
    cwd: project, env: seraEnv(), extendEnv: false, reject: false, input: "", timeout: 120_000,
  });
  expect({ code: r.exitCode, stdout: String(r.stdout).trim() }).toEqual({ code: 0, stdout: FINAL_TEXT });
  expect(readFileSync(join(project, "calc.py"), "utf8")).toBe(FIXED);
  expect(r.stderr).toMatch(/Proxy running on http:\/\/127\.0\.0\.1:\d+ \(swe-agent dialect\)/);
}, 150_000);

it("Claude Code's failure exit code is sera's exit code", async () => {
  const r = await execa(process.execPath, [SERA, "--endpoint", upstream.url, "--port", "0", "--", "--no-such-flag"], {
    cwd: tmp("sera-project-"), env: seraEnv(), extendEnv: false, reject: false, input: "", timeout: 60_000,
  });
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toContain("unknown option '--no-such-flag'");
}, 90_000);

it("SIGTERM while Claude Code waits for the model ends Claude Code and sera promptly (128+15)", async () => {
  const slow = createVllmStub({ model: "allenai/SERA-32B", reply: (r) => sweAgentScript(r), fault: () => ({ slowMs: 60_000 }) });
  const server = await slow.listen();
  try {
    const project = tmp("sera-project-");
    writeFileSync(join(project, "calc.py"), BUGGY);
    const child = execa(process.execPath, [SERA, "--endpoint", server.url, "--port", "0", "--", "-p", "Fix the bug in calc.py", "--dangerously-skip-permissions"], {
      cwd: project, env: seraEnv(), extendEnv: false, reject: false, input: "", timeout: 60_000,
    });
    // wait until Claude Code's first request has reached the (slow) model
    const started = Date.now();
    while (slow.requests.length === 0 && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 50));
    if (slow.requests.length === 0) child.kill("SIGKILL");
    expect(slow.requests).toHaveLength(1);
    const killedAt = Date.now();
    child.kill("SIGTERM");
    const r = await child;
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(r.exitCode).toBe(143);
    // the proxy aborted the upstream request when Claude Code went away
    const until = Date.now() + 5_000;
    while (slow.aborted === 0 && Date.now() < until) await new Promise((res) => setTimeout(res, 50));
    expect(slow.aborted).toBe(1);
    expect(readFileSync(join(project, "calc.py"), "utf8")).toBe(BUGGY);
  } finally {
    await server.close();
  }
}, 90_000);

it("`sera --proxy-only` serves until Ctrl+C, then closes the port and exits 0", async () => {
  const child = execa(process.execPath, [SERA, "--proxy-only", "--endpoint", upstream.url, "--port", "0"], { env: seraEnv(), extendEnv: false, reject: false, all: true });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no proxy URL printed:\n${output}`)), 30_000);
    child.all?.on("data", (c: Buffer) => {
      output += c.toString();
      const m = /ANTHROPIC_BASE_URL=(\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  expect((await fetch(`${url}/health`)).status).toBe(200);
  child.kill("SIGINT");
  const r = await child;
  expect(r.exitCode).toBe(0);
  expect(output + String(r.all)).toContain("Exiting...");
  await expect(fetch(`${url}/health`)).rejects.toThrow();
}, 60_000);

it.each([
  [["--port", "99999"], "sera: --port: expected a port number 0-65535, got \"99999\""],
  [["--dialect", "x"], "sera: --dialect: expected one of native, swe-agent"],
  [["--endpoint", "not a url"], "sera: endpoint: \"not a url\" is not a URL"],
])("a usage error %j exits 2 with a message naming the flag", async (argv, message) => {
  const r = await execa(process.execPath, [SERA, ...argv], { env: seraEnv(), extendEnv: false, reject: false, timeout: 30_000 });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toContain(message);
  expect(r.stderr).toContain("Run `sera --help` for usage.");
}, 40_000);
