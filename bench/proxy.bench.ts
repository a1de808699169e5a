// Proxy benchmark: the translating proxy vs. the same vLLM stub hit directly, in one run.
// Load: a 19 KB Claude Code-like request (from a captured first turn), 50 streamed content chunks,
// concurrency 1 / 16 / 64, streaming and not. Reports req/s, p50/p99 latency, time to first content,
// proxy CPU ms per request, proxy peak RSS, and checks deltas out = chunks in. Results: bench/results/proxy-*.json.
// Each row is the median of `--repeat=N` (default 3) alternating direct/proxy runs; `--quick`: streamed text and tool
// call, c=1/16, once. Streamed tool calls (one Bash call in 50 argument fragments) run at c=1/16 as well. The c=1/16
// rows of every kind (the issue's load) run before the c=64 rows, so that the peak RSS of each load is its own.
// `BENCH_PROXY_CMD="<node args>"` runs that instead of sera (the stub's URL appended), e.g. bench/floor-proxy.ts.
// `--faults`: 1,000 proxied requests while the stub injects 5% HTTP 500, 5% mid-stream drops, 10% slow first bytes.
//
// Three processes so that CPU and RSS are the proxy's own: this one (load generator), a stub child (this file,
// --role=stub) and the proxy as users run it: `sera --proxy-only` (runtime/sera/bin.js). The proxy's CPU time and
// peak RSS are read from outside, /proc/<pid>/stat (utime+stime, all threads) and /proc/<pid>/status (VmHWM).
// `--via=role` runs the proxy in a child of this file instead (the measurement before sera was used; kept to compare),
// and `--faults` always does, because its leak check needs to trigger a GC in the proxy over IPC.
import { execa, getOneMessage, sendMessage, type ResultPromise } from "execa";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const CHUNKS = 50;
const TOKEN = "benchtoken";
const TEXT = "abcd".repeat(CHUNKS); // tokenChars 4 → exactly CHUNKS content deltas
// The tool-call stream: a request whose last user turn ends with this marker is answered with one Bash call, streamed
// as vLLM 0.33's hermes parser does (tests/support/vllm-stub.ts, from the recorded fixtures): a header, then the
// argument JSON (json.dumps-style, as the model writes it) one token (tokenChars 4) per chunk. A command this long
// makes that JSON exactly CHUNKS tokens.
const TOOL_MARKER = "[bench: call a tool]";
const TOOL_CALL = { name: "Bash", arguments: { command: "x".repeat(4 * CHUNKS - '{"command": ""}'.length) } };

// ---------- child roles ----------
async function runStub(faults: boolean): Promise<void> {
  const { createVllmStub } = await import(join(root, "tests/support/vllm-stub.ts"));
  // @hono/node-server prints each injected drop's error with a stack: expected here, and noise in the report
  if (faults) console.error = () => {};
  const stub = createVllmStub({
    model: "stub-model",
    tokenChars: 4,
    reply: (req: { messages: unknown[] }) => (JSON.stringify(req.messages.at(-1)).includes(TOOL_MARKER) ? { toolCalls: [TOOL_CALL] } : { text: TEXT }),
    fault: faults
      ? (n: number) => {
          const r = (n * 7919) % 100; // deterministic spread
          if (r < 5) return "500";
          if (r < 10) return { drop: 1 + (n % 40) };
          if (r < 20) return { slowMs: 50 + (n % 200) };
          return undefined;
        }
      : undefined,
  });
  const s = await stub.listen();
  await sendMessage({ url: s.url });
  await getOneMessage();
  await s.close();
}

async function runProxy(upstream: string): Promise<void> {
  const { startProxy } = await import(join(root, "runtime/proxy/server.ts"));
  const p = await startProxy({ upstream: { baseUrl: upstream, model: "stub-model" }, dialect: "native", port: 0, token: TOKEN, coldStart: { deadlineMs: 2000, retryDelayMs: 100, pingIntervalMs: 5000 } });
  await sendMessage({ url: p.url });
  for (;;) {
    const m = (await getOneMessage()) as { cmd: string };
    if (m.cmd === "usage") {
      const u = process.cpuUsage();
      await sendMessage({ cpuMs: (u.user + u.system) / 1000, sysMs: u.system / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024, rssMB: process.memoryUsage().rss / 2 ** 20 });
    } else if (m.cmd === "gc") {
      (globalThis as { gc?: () => void }).gc?.();
      await sendMessage({ rssMB: process.memoryUsage().rss / 2 ** 20, heapMB: process.memoryUsage().heapUsed / 2 ** 20 });
    } else break;
  }
  await p.close();
}

// ---------- proxy process ----------
const TICK_MS = 10; // USER_HZ is 100 on Linux (sysconf(_SC_CLK_TCK)); /proc/<pid>/stat counts in its ticks

/** CPU (user, kernel) and peak/current RSS of a process, from /proc. */
function procUsage(pid: number): { cpuMs: number; sysMs: number; maxRssMB: number; rssMB: number } {
  // fields after the ")" that closes comm: state is field 3, utime 14, stime 15
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(f[11]), stime = Number(f[12]);
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { cpuMs: (utime + stime) * TICK_MS, sysMs: stime * TICK_MS, maxRssMB: kb("VmHWM") / 1024, rssMB: kb("VmRSS") / 1024 };
}

interface ProxyProcess { url: string; pid: number; proc: ResultPromise; stop(): Promise<void> }

/** `sera --proxy-only` on the stub, as `npx sera` starts it: the executable itself, so that the node flags of its
 *  first line apply (extra flags for a measurement go through NODE_OPTIONS). Its log goes to a temporary XDG_STATE_HOME. */
async function startSeraProxy(stubUrl: string, flags: string[]): Promise<ProxyProcess> {
  const state = mkdtempSync(join(tmpdir(), "bench-sera-"));
  const cmd = process.env.BENCH_PROXY_CMD;
  const proc = execa(cmd ? process.execPath : join(root, "runtime/sera/bin.js"), cmd ? [...cmd.split(" "), stubUrl] : ["--proxy-only", "--endpoint", stubUrl, "--port", "0", "--model", "stub-model", "--dialect", "native"], {
    env: {
      SERA_PROXY_TOKEN: TOKEN, XDG_STATE_HOME: state, SERA_STACK: "bench-none", NODE_OPTIONS: flags.join(" "),
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`, // the shebang's `env node` must find this node (24)
    },
    stdin: "ignore", stdout: "ignore", stderr: "pipe", buffer: false,
  });
  const url = await new Promise<string>((resolve, reject) => {
    let err = "";
    proc.stderr!.setEncoding("utf8");
    proc.stderr!.on("data", (d: string) => {
      err += d;
      const m = /Proxy running on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    proc.catch((e: Error) => reject(new Error(`sera --proxy-only failed: ${e.message}\n${err}`)));
  });
  return {
    url, pid: proc.pid!, proc,
    async stop() { proc.kill("SIGINT"); await proc.catch(() => {}); rmSync(state, { recursive: true, force: true }); },
  };
}

// ---------- load generator ----------
interface Shot { ms: number; ttfcMs: number; status: number; deltas: number; body: string }

function shoot(agent: http.Agent, url: URL, body: string, headers: Record<string, string>, keepBody: boolean): Promise<Shot> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let ttfc = -1;
    let buf = "";
    const req = http.request(url, { method: "POST", agent, headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        if (ttfc < 0 && (d.includes("text_delta") || d.includes('"content":"a') || d.includes('"text":"a') || d.includes("input_json_delta") || d.includes('"arguments":"'))) ttfc = performance.now() - t0;
        buf += d;
      });
      const done = () => {
        // proxy: Anthropic text or tool-input deltas; direct: the stub's content or argument fragments
        const deltas = (buf.match(/"(text|input_json)_delta"/g)?.length ?? 0) + (buf.match(/"delta":\{"content":"[^"]|"arguments":"[^"]/g)?.length ?? 0);
        resolve({ ms: performance.now() - t0, ttfcMs: ttfc < 0 ? performance.now() - t0 : ttfc, status: res.statusCode ?? 0, deltas, body: keepBody ? buf : "" });
      };
      res.on("end", done);
      res.on("error", () => resolve({ ms: performance.now() - t0, ttfcMs: -1, status: -1, deltas: 0, body: buf }));
    });
    req.on("error", () => resolve({ ms: performance.now() - t0, ttfcMs: -1, status: -1, deltas: 0, body: "" }));
    req.end(body);
  });
}

async function load(n: number, conc: number, fire: (i: number) => Promise<Shot>): Promise<{ shots: Shot[]; wallMs: number }> {
  const shots: Shot[] = new Array(n);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: conc }, async () => {
    while (next < n) { const i = next++; shots[i] = await fire(i); }
  }));
  return { shots, wallMs: performance.now() - t0 };
}

const REPEAT = Math.max(1, Number(arg("repeat") ?? (process.argv.includes("--quick") ? 1 : 3)));
const median = (xs: number[]) => pct(xs, 50);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const r2 = (x: number) => Math.round(x * 1000) / 1000;

function withToolMarker(req: Record<string, unknown>): Record<string, unknown> {
  const messages = req.messages as Array<{ role: string; content: unknown }>;
  const last = messages.at(-1)!;
  const content = typeof last.content === "string" ? [{ type: "text", text: last.content }] : (last.content as object[]);
  return { ...req, messages: [...messages.slice(0, -1), { ...last, content: [...content, { type: "text", text: TOOL_MARKER }] }] };
}

function benchRequest(): { anthropic: Record<string, unknown>; size: number } {
  const cap = JSON.parse(readFileSync(join(root, "tests/fixtures/claude-code/first-turn.json"), "utf8")).body;
  const keep = new Set(["Bash", "Read", "Edit", "Write"]);
  const anthropic = { ...cap, model: "claude-opus-4-8", tools: cap.tools.filter((t: { name: string }) => keep.has(t.name)) };
  return { anthropic, size: Buffer.byteLength(JSON.stringify(anthropic)) };
}

async function main(): Promise<void> {
  const faults = process.argv.includes("--faults");
  const self = fileURLToPath(import.meta.url);
  const stubP = execa(process.execPath, [self, "--role=stub", ...(faults ? ["--faults"] : [])], { ipc: true, stdin: "ignore", stdout: "inherit", stderr: "inherit" });
  const { url: stubUrl } = (await stubP.getOneMessage()) as { url: string };
  const prof = process.env.BENCH_PROXY_PROF ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_PROXY_PROF}`] : [];
  const flags = (process.env.BENCH_PROXY_FLAGS ?? "").split(" ").filter(Boolean);
  const via = faults ? "role" : arg("via") ?? "sera";
  let proxy: ProxyProcess;
  const roleOptions = { ipc: true, stdin: "ignore", stdout: "inherit", stderr: "inherit" } as const;
  let proxyP: ResultPromise<typeof roleOptions> | undefined;
  // Node's compile cache holds sera's modules type-stripped; after an install or a change to a source file the first
  // start strips them again, loading the TypeScript stripper (~15 MB more, idle and peak). That start is measured on
  // its own (idleRssMBFirstStart) and stopped; the measured proxy is a start like every later session's.
  let idleRssMBFirstStart: number | undefined;
  if (via === "sera") {
    const first = await startSeraProxy(stubUrl, flags);
    await new Promise((r) => setTimeout(r, 1000));
    idleRssMBFirstStart = r2(procUsage(first.pid).rssMB);
    await first.stop();
    proxy = await startSeraProxy(stubUrl, [...prof, ...flags]);
  } else {
    const p = execa(process.execPath, [...prof, ...flags, "--expose-gc", self, "--role=proxy", `--upstream=${stubUrl}`], roleOptions);
    proxyP = p;
    const { url } = (await p.getOneMessage()) as { url: string };
    proxy = { url, pid: p.pid!, proc: p, async stop() { await p.sendMessage({ cmd: "exit" }); await p; } };
  }
  const proxyUrl = proxy.url;
  const usage = async () => procUsage(proxy.pid);
  // idle: listening, nothing served yet (after a moment for startup garbage to settle)
  await new Promise((r) => setTimeout(r, 1000));
  const idleRssMB = r2(procUsage(proxy.pid).rssMB);
  console.log(JSON.stringify({ idleRssMB, idleRssMBFirstStart }));

  const { anthropic, size } = benchRequest();
  const { toOpenAIRequest } = await import(join(root, "runtime/proxy/translate/request.ts"));
  const { nativeDialect } = await import(join(root, "runtime/proxy/dialects/native.ts"));
  /** tools: the same request, its last user turn marked so that the stub answers with a streamed tool call */
  const bodies = (stream: boolean, tools = false) => {
    const req = tools ? withToolMarker(anthropic) : anthropic;
    return {
      proxy: JSON.stringify({ ...req, stream }),
      direct: JSON.stringify(toOpenAIRequest({ ...req, stream } as never, nativeDialect, {}, { model: "stub-model" })),
    };
  };
  const results: Record<string, unknown>[] = [];
  mkdirSync(join(here, "results"), { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");

  if (faults) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const b = bodies(true).proxy;
    await load(50, 8, () => shoot(agent, new URL(`${proxyUrl}/v1/messages`), b, { "x-api-key": TOKEN }, false)); // warm-up
    await proxyP!.sendMessage({ cmd: "gc" });
    const base = (await proxyP!.getOneMessage()) as { rssMB: number; heapMB: number };
    const { shots, wallMs } = await load(1000, 64, () => shoot(agent, new URL(`${proxyUrl}/v1/messages`), b, { "x-api-key": TOKEN }, true));
    let complete = 0, errors = 0, invalid = 0;
    for (const s of shots) {
      const ok = s.status === 200 && s.body.includes("event: message_stop") && s.deltas === CHUNKS && !s.body.includes("event: error");
      const err = (s.status >= 400 && /"type":"error"/.test(s.body)) || (s.status === 200 && /event: error\ndata: \{"type":"error"/.test(s.body) && !s.body.includes("message_stop"));
      if (ok) complete++; else if (err) errors++; else invalid++;
    }
    await proxyP!.sendMessage({ cmd: "gc" });
    const after = (await proxyP!.getOneMessage()) as { rssMB: number; heapMB: number };
    const res = { kind: "faults", requests: 1000, complete, anthropicErrors: errors, invalidOrHung: invalid, wallMs: r2(wallMs), rssBeforeMB: r2(base.rssMB), rssAfterGcMB: r2(after.rssMB), heapBeforeMB: r2(base.heapMB), heapAfterGcMB: r2(after.heapMB), heapBackToBaseline: after.heapMB - base.heapMB < 8 };
    console.log(res);
    results.push(res);
    if (invalid > 0 || !res.heapBackToBaseline) process.exitCode = 1;
    agent.destroy();
  } else {
    console.log(`request ${size} bytes, ${CHUNKS} chunks`);
    { // JIT warm-up of every path once, so that no measured row pays for V8 compiling the proxy's hot code
      const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
      for (const [stream, tools] of [[true, false], [true, true], [false, false]]) {
        const b = bodies(stream, tools);
        await load(Number(process.env.BENCH_WARMUP ?? 1000), 16, () => shoot(agent, new URL(`${proxyUrl}/v1/messages`), b.proxy, { "x-api-key": TOKEN }, false));
      }
      agent.destroy();
    }
    const quick = process.argv.includes("--quick"); // a fast look while tuning: streaming only, fewer requests
    // streamed text, streamed tool call, JSON text
    const kinds: Array<[boolean, boolean]> = quick ? [[true, false], [true, true]] : [[true, false], [true, true], [false, false]];
    // The issue's load (c=1 and c=16) first, every kind; the c=64 rows after it. VmHWM only grows, so the peak read
    // after the last c=16 row is the peak under the issue's load (JIT warm-up included), and the c=64 rows cannot
    // raise it; the c=64 peak is reported beside it.
    const rows: Array<[boolean, boolean, number]> = [];
    for (const conc of [1, 16, 64]) for (const [stream, tools] of kinds) if (conc < 64 || !(quick || tools)) rows.push([stream, tools, conc]);
    let peakAtIssueLoad = 0;
    for (const [stream, tools, conc] of rows) {
      const b = bodies(stream, tools);
      {
        const n = quick ? 500 : conc === 1 ? 400 : 3000;
        const runs: Record<"direct" | "proxy", Record<string, unknown>[]> = { direct: [], proxy: [] };
        // direct and proxy alternate, `--repeat=N` times: on a shared machine one slow moment then hits both, and the
        // reported row is the median of each figure over the repetitions
        for (let rep = 0; rep < REPEAT; rep++) for (const target of ["direct", "proxy"] as const) {
          const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
          const url = new URL(target === "proxy" ? `${proxyUrl}/v1/messages` : `${stubUrl}/chat/completions`);
          const hdr: Record<string, string> = target === "proxy" ? { "x-api-key": TOKEN } : {};
          await load(Math.min(200, n), conc, () => shoot(agent, url, b[target], hdr, false)); // warm-up
          const before = await usage(), stubBefore = procUsage(stubP.pid!);
          const { shots, wallMs } = await load(n, conc, () => shoot(agent, url, b[target], hdr, false));
          const after = await usage(), stubAfter = procUsage(stubP.pid!);
          agent.destroy();
          const ok = shots.filter((s) => s.status === 200);
          const deltasOk = stream ? ok.every((s) => s.deltas === CHUNKS) : true;
          const row = {
            target, stream, tools, concurrency: conc, requests: n, failed: n - ok.length,
            reqPerSec: r2((n / wallMs) * 1000), p50Ms: r2(pct(shots.map((s) => s.ms), 50)), p99Ms: r2(pct(shots.map((s) => s.ms), 99)),
            ttfcP50Ms: r2(pct(shots.map((s) => s.ttfcMs), 50)),
            proxyCpuMsPerReq: target === "proxy" ? r2((after.cpuMs - before.cpuMs) / n) : null,
            proxyKernelMsPerReq: target === "proxy" ? r2((after.sysMs - before.sysMs) / n) : null,
            proxyPeakRssMB: target === "proxy" ? r2(after.maxRssMB) : null,
            // for scale: the stub (a Hono server on node:http doing no translation) answering the same requests
            stubCpuMsPerReq: r2((stubAfter.cpuMs - stubBefore.cpuMs) / n),
            deltasOutEqualsChunksIn: deltasOk,
          };
          runs[target].push(row);
        }
        for (const target of ["direct", "proxy"] as const) {
          const rows = runs[target];
          const row: Record<string, unknown> = { ...rows[0], repeats: rows.length };
          for (const k of Object.keys(rows[0])) {
            if (typeof rows[0][k] === "number" && k !== "concurrency" && k !== "requests") row[k] = median(rows.map((r) => r[k] as number));
          }
          if (target === "proxy") row.proxyPeakRssMB = Math.max(...rows.map((r) => r.proxyPeakRssMB as number)); // a peak, not a median
          row.failed = rows.reduce((a, r) => a + (r.failed as number), 0);
          row.deltasOutEqualsChunksIn = rows.every((r) => r.deltasOutEqualsChunksIn);
          results.push(row);
          console.log(JSON.stringify(row));
          if (target === "proxy" && conc <= 16) peakAtIssueLoad = Math.max(peakAtIssueLoad, row.proxyPeakRssMB as number);
        }
      }
    }
    if (quick) { await proxy.stop(); await stubP.sendMessage({ cmd: "exit" }); await stubP; return; }
    const find = (t: string, s: boolean, c: number) => results.find((r) => r.target === t && r.stream === s && !r.tools && r.concurrency === c) as Record<string, number>;
    const p1 = find("proxy", true, 1), d1 = find("direct", true, 1), p16 = find("proxy", true, 16), d16 = find("direct", true, 16);
    // the issue's targets: ≤ 0.7 ms at c=1 and ≤ 0.5 ms at c=16, text and tool-call streams alike
    const cpuAt = (c: number) => Math.max(...results.filter((r) => r.target === "proxy" && r.stream && r.concurrency === c).map((r) => r.proxyCpuMsPerReq as number));
    const targets = {
      cpuMsPerStreamedRequestAt1: { value: cpuAt(1), target: 0.7, met: cpuAt(1) <= 0.7 },
      cpuMsPerStreamedRequestAt16: { value: cpuAt(16), target: 0.5, met: cpuAt(16) <= 0.5 },
      throughputRatioAt16: { value: r2(p16.reqPerSec / d16.reqPerSec), target: 0.5, met: p16.reqPerSec / d16.reqPerSec >= 0.5 },
      addedP50MsAt1: { value: r2(p1.p50Ms - d1.p50Ms), target: 0.5, met: p1.p50Ms - d1.p50Ms <= 0.5 },
      idleRssMB: { value: idleRssMB, target: 70, met: idleRssMB <= 70, firstStartAfterAChange: idleRssMBFirstStart },
      // the issue's load: c=1 and c=16, text, tool-call and JSON rows, with the JIT warm-up before them
      peakRssMB: { value: peakAtIssueLoad, target: 120, met: peakAtIssueLoad <= 120 },
      // beyond the issue's load, reported against the same figure rather than left out
      peakRssMBAt64: { value: Math.max(...results.filter((r) => r.target === "proxy").map((r) => r.proxyPeakRssMB as number)), target: 120, met: false },
      deltasOutEqualsChunksIn: results.every((r) => r.deltasOutEqualsChunksIn),
    };
    targets.peakRssMBAt64.met = targets.peakRssMBAt64.value <= 120;
    console.log(JSON.stringify(targets, null, 1));
    // correctness failures fail the run; missed speed/memory targets are reported, not hidden
    if (!targets.deltasOutEqualsChunksIn || results.some((r) => (r.failed as number) > 0)) process.exitCode = 1;
    results.push({ kind: "targets", ...targets });
  }
  const file = join(here, "results", `proxy-${faults ? "faults-" : ""}${stamp}.json`);
  writeFileSync(file, JSON.stringify({ node: process.version, proxyProcess: via === "sera" ? "sera --proxy-only" : "bench child (--role=proxy)", proxyFlags: flags, requestBytes: size, chunks: CHUNKS, results }, null, 1));
  console.log(`results: ${file}`);
  await proxy.stop();
  await stubP.sendMessage({ cmd: "exit" });
  await stubP;
}

const role = arg("role");
if (role === "stub") await runStub(process.argv.includes("--faults"));
else if (role === "proxy") await runProxy(arg("upstream")!);
else await main();
