// An upstream that accepts connections and then resets them (or closes them unanswered) is broken, not starting:
// after a few retries the client gets an Anthropic error within 15 s, not pings for the 10-minute cold-start
// deadline. Refused connections keep the long deadline. Real TCP servers on 127.0.0.1, the proxy on a real socket.
import net from "node:net";
import { startProxy } from "../../runtime/proxy/server.ts";
import { classify, postRaw } from "../support/sse-client.ts";
import { createVllmStub } from "../support/vllm-stub.ts";

const body = (stream: boolean) => ({ model: "claude-opus-4-8", max_tokens: 50, stream, messages: [{ role: "user", content: "go" }] });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

type Behaviour = "reset-on-accept" | "reset-after-request" | "close-after-request";

/** A TCP server that accepts every connection and drops it; `pass(n)` lets connection n through to `forward`. */
async function dropper(how: Behaviour, forward?: { port: number; pass: (n: number) => boolean }): Promise<{ url: string; connections: () => number }> {
  let n = 0;
  const open = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    n++;
    open.add(sock);
    sock.on("close", () => open.delete(sock));
    if (forward?.pass(n)) {
      const up = net.connect(forward.port, "127.0.0.1");
      sock.pipe(up).pipe(sock);
      sock.on("error", () => up.destroy());
      up.on("error", () => sock.destroy());
      return;
    }
    sock.on("error", () => {});
    if (how === "reset-on-accept") return void sock.resetAndDestroy();
    // wait for the request, so the drop comes after the proxy wrote it
    sock.once("data", () => (how === "reset-after-request" ? sock.resetAndDestroy() : sock.end()));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(() => new Promise((r) => { server.close(() => r()); for (const s of open) s.destroy(); }));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/v1`, connections: () => n };
}

const retries: string[] = [];
beforeEach(() => { retries.length = 0; });
const logger = { log: (_: string, msg: string, f?: Record<string, unknown>) => { if (msg === "upstream retry") retries.push(String(f?.why)); } };

async function proxyTo(url: string, coldStart?: Parameters<typeof startProxy>[0]["coldStart"], viaFetch = false) {
  const p = await startProxy({ upstream: { baseUrl: url, model: "stub-model" }, dialect: "native", port: 0, coldStart, logger, ...(viaFetch ? { fetch: globalThis.fetch } : {}) });
  cleanups.push(p.close);
  return p;
}

describe.each<[string, boolean]>([["node:http transport", false], ["fetch transport", true]])("%s", (_, viaFetch) => {
  // the defaults (10-minute deadline, 2 s between attempts) once per transport; the other drops with short pauses
  it.each<[Behaviour, { retryDelayMs: number } | undefined]>([
    ["reset-after-request", undefined], ["reset-on-accept", { retryDelayMs: 20 }], ["close-after-request", { retryDelayMs: 20 }],
  ])(
    "%s, cold-start options %j: HTTP 500 api_error within 15 s, after 3 retries (stream and not)",
    async (how, coldStart) => {
      const up = await dropper(how);
      const proxy = await proxyTo(up.url, coldStart, viaFetch);
      const t0 = Date.now();
      // both at once: the default ping interval (10 s) is longer than the retries take, so the stream has not committed
      const [json, sse] = await Promise.all([false, true].map((stream) => postRaw(`${proxy.url}/v1/messages`, body(stream), { timeoutMs: 15_000 })));
      expect(Date.now() - t0).toBeLessThan(15_000);
      for (const r of [json, sse]) {
        expect(r.status).toBe(500);
        expect(classify(r)).toEqual({ kind: "error", type: "api_error" });
        expect(JSON.parse(r.body).error.message).toMatch(/closed the connection without answering \(\w+, 4 times\)/);
      }
      expect(up.connections()).toBe(8); // 1 + 3 retries, per request
    },
    20_000,
  );
});

it("a stream that committed (pings sent) ends with event: error after the retries", async () => {
  const up = await dropper("reset-after-request");
  const proxy = await proxyTo(up.url, { retryDelayMs: 100, pingIntervalMs: 40 });
  const r = await postRaw(`${proxy.url}/v1/messages`, body(true));
  expect(r.status).toBe(200);
  expect(r.events[0].event).toBe("message_start");
  expect(r.events.filter((e) => e.event === "ping").length).toBeGreaterThanOrEqual(2);
  expect(r.events.at(-1)).toEqual({ event: "error", data: { type: "error", error: { type: "api_error", message: expect.stringMatching(/closed the connection without answering/) } } });
  expect(up.connections()).toBe(4);
});

it("resetRetries bounds the retries", async () => {
  const up = await dropper("reset-on-accept");
  const proxy = await proxyTo(up.url, { retryDelayMs: 10, resetRetries: 0 });
  const r = await postRaw(`${proxy.url}/v1/messages`, body(false));
  expect(classify(r)).toEqual({ kind: "error", type: "api_error" });
  expect(up.connections()).toBe(1);
});

it("a few resets, then the endpoint answers: the whole message", async () => {
  const stub = createVllmStub({ model: "stub-model", reply: () => ({ text: "after two resets" }) });
  const s = await stub.listen();
  cleanups.push(s.close);
  const up = await dropper("reset-after-request", { port: Number(new URL(s.url).port), pass: (n) => n > 2 });
  const proxy = await proxyTo(up.url, { retryDelayMs: 20 });
  for (const stream of [false, true]) {
    const r = await postRaw(`${proxy.url}/v1/messages`, body(stream));
    expect(classify(r)).toEqual({ kind: "message", text: "after two resets", stop: "end_turn" });
  }
  expect(stub.requests).toHaveLength(2);
});

it("refused connections keep the long deadline: retried past resetRetries until the deadline, then 529", async () => {
  // a port that was just free: nothing listens, every connect is refused
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const proxy = await proxyTo(`http://127.0.0.1:${port}/v1`, { deadlineMs: 600, retryDelayMs: 20, pingIntervalMs: 5000 });
  const t0 = Date.now();
  const r = await postRaw(`${proxy.url}/v1/messages`, body(false));
  expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
  expect(r.status).toBe(529);
  expect(retries.length).toBeGreaterThan(10);
  expect(new Set(retries)).toEqual(new Set(["ECONNREFUSED"]));
  expect(JSON.parse(r.body).error).toEqual({ type: "overloaded_error", message: "upstream endpoint unreachable (ECONNREFUSED); it may still be starting" });
});

it("a reset on a reused keep-alive connection is retried at once and not counted as the endpoint's answer", async () => {
  const stub = createVllmStub({ model: "stub-model", reply: () => ({ text: "fresh connection" }) });
  const s = await stub.listen();
  cleanups.push(s.close);
  // each connection carries one request to the stub; the next request on it (the proxy reusing it) is reset
  const open = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    open.add(sock);
    sock.on("close", () => open.delete(sock));
    const up = net.connect(Number(new URL(s.url).port), "127.0.0.1");
    let requests = 0;
    sock.on("data", (d) => {
      if (d.includes("POST ") && ++requests > 1) { up.destroy(); sock.resetAndDestroy(); return; }
      up.write(d);
    });
    up.pipe(sock);
    sock.on("error", () => up.destroy());
    up.on("error", () => sock.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(() => new Promise((r) => { server.close(() => r()); for (const c of open) c.destroy(); }));
  const proxy = await proxyTo(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}/v1`, { retryDelayMs: 5_000, resetRetries: 0 });
  const t0 = Date.now();
  for (let i = 0; i < 3; i++) {
    const r = await postRaw(`${proxy.url}/v1/messages`, body(i % 2 === 1));
    expect(classify(r)).toEqual({ kind: "message", text: "fresh connection", stop: "end_turn" });
  }
  expect(Date.now() - t0).toBeLessThan(2_000); // no pause of retryDelayMs
  expect(retries).toEqual(["ECONNRESET on a reused connection", "ECONNRESET on a reused connection"]);
  expect(stub.requests).toHaveLength(3);
});
