// Steady load on one proxy at one concurrency, for profiling and flag comparisons (PERFORMANCE.md, fourth pass):
// `node bench/steady.ts <concurrency> <seconds> [perf]`: a 3 s warm-up, then the CPU per request (/proc, all threads) and
// the peak RSS of `sera --proxy-only` on the bench stub, with the streamed Claude Code request of proxy.bench.ts.
// TOOLS=1: the tool-call stream. PROXY_CMD="<node args> <script…>": run that instead (the stub URL appended), e.g.
// PROXY_CMD="--max-semi-space-size=8 --heap-growing-percent=50 runtime/sera/bin.js --proxy-only --port 0 --model stub-model
// --dialect native --endpoint". PFLAGS: NODE_OPTIONS for the proxy. STRACE=1: syscalls per request. perf: prints the
// pid after the warm-up (for perf record -p).
import { execa } from "execa";
import http from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
const root = new URL("..", import.meta.url).pathname;
const conc = Number(process.argv[2] ?? 1), secs = Number(process.argv[3] ?? 5), perf = process.argv[4] === "perf";
const tools = process.env.TOOLS === "1";
const stubP = execa(process.execPath, [join(root, "bench/proxy.bench.ts"), "--role=stub"], { ipc: true, stdin: "ignore", stdout: "inherit", stderr: "inherit" });
const { url: stubUrl } = (await stubP.getOneMessage()) as { url: string };
const cmd = process.env.PROXY_CMD;
const state = mkdtempSync(join(tmpdir(), "steady-"));
const proc = execa(cmd ? process.execPath : join(root, "runtime/sera/bin.js"), cmd ? [...cmd.split(" "), stubUrl] : ["--proxy-only", "--endpoint", stubUrl, "--port", "0", "--model", "stub-model", "--dialect", "native"], {
  env: { SERA_PROXY_TOKEN: "benchtoken", XDG_STATE_HOME: state, SERA_STACK: "bench-none", NODE_OPTIONS: process.env.PFLAGS ?? "", PATH: `${join(process.execPath, "..")}:${process.env.PATH}` },
  stdin: "ignore", stdout: "ignore", stderr: "pipe", buffer: false,
});
const url = await new Promise<string>((res) => { let e = ""; proc.stderr!.on("data", (d) => { e += d; const m = /Proxy running on (http:\/\/\S+)/.exec(e); if (m) res(m[1]); }); });
const cap = JSON.parse(readFileSync(join(root, "tests/fixtures/claude-code/first-turn.json"), "utf8")).body;
const keep = new Set(["Bash", "Read", "Edit", "Write"]);
const req0: any = { ...cap, model: "claude-opus-4-8", stream: true, tools: cap.tools.filter((t: any) => keep.has(t.name)) };
if (tools) { const m = req0.messages.at(-1); const c = typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content; req0.messages = [...req0.messages.slice(0, -1), { ...m, content: [...c, { type: "text", text: "[bench: call a tool]" }] }]; }
const body = JSON.stringify(req0);
const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
const target = new URL(url + "/v1/messages");
const times: number[] = [];
const shot = () => new Promise<void>((resolve) => {
  const t0 = performance.now();
  const r = http.request(target, { method: "POST", agent, headers: { "x-api-key": "benchtoken", "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => { res.on("data", () => {}); res.on("end", () => { times.push(performance.now() - t0); resolve(); }); });
  r.end(body);
});
const cpu = () => { const s = readFileSync(`/proc/${proc.pid}/stat`, "utf8"); const f = s.slice(s.lastIndexOf(")") + 2).split(" "); return (Number(f[11]) + Number(f[12])) * 10; };
const run = async (ms: number) => { let n = 0; const end = Date.now() + ms; await Promise.all(Array.from({ length: conc }, async () => { while (Date.now() < end) { await shot(); n++; } })); return n; };
await run(3000); // warm-up
if (perf) console.log(`PID ${proc.pid}`);
const st = process.env.STRACE ? execa("strace", ["-c", "-f", "-p", String(proc.pid)], { reject: false, all: true }) : undefined;
if (st) await new Promise((r) => setTimeout(r, 300));
const c0 = cpu(); const t0 = performance.now(); times.length = 0;
const n = await run(secs * 1000);
if (st) { st.kill("SIGINT"); const o = await st; console.log(o.all!.split("\n").filter((l) => /^\s*[\d.]+\s.*\s(futex|writev|read|epoll_pwait|write)$/.test(l)).map((l) => { const f = l.trim().split(/\s+/); return `${f[f.length - 1]}: ${(Number(f[3]) / n).toFixed(2)}/req`; }).join(", ")); }
const c1 = cpu();
const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, "utf8"))![1];
console.log(`c=${conc} ${n} req in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${(n / secs).toFixed(0)} req/s, cpu ${((c1 - c0) / n).toFixed(3)} ms/req, p50 ${times.sort((a, b) => a - b)[times.length >> 1].toFixed(3)} ms, peak ${(Number(hwm) / 1024).toFixed(0)} MB`);
proc.kill("SIGINT"); await proc.catch(() => {}); await stubP.sendMessage({ cmd: "exit" }); await stubP;
rmSync(state, { recursive: true, force: true });
