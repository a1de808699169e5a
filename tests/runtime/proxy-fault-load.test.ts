// Fault load: 1,000 proxied requests (streamed and not) over real sockets while the stub injects 5% HTTP 500,
// 5% mid-stream drops and 10% slow first bytes. Every client gets a complete valid message or a proper Anthropic
// error, none hangs, nothing stays in flight, and the heap returns to its baseline.
import http from "node:http";
import v8 from "node:v8";
import vm from "node:vm";
import { startProxy } from "../../runtime/proxy/server.ts";
import { createVllmStub, type StubFault } from "../support/vllm-stub.ts";
import { classify, postRaw, type Outcome } from "../support/sse-client.ts";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
const heapAfterGc = () => { gc(); gc(); return process.memoryUsage().heapUsed; };

const TEXT = "The quick brown fox jumps over the lazy dog. ".repeat(4);
const N = 1000;
const isStreamReq = (i: number) => i % 4 !== 0;

function faultFor(n: number): StubFault | undefined {
  const r = (n * 7919) % 100; // a fixed, well-spread pattern
  if (r < 5) return "500";
  if (r < 10) return { drop: 2 + (n % 40) };
  if (r < 20) return { slowMs: 20 + (n % 80) };
  return undefined;
}

it("1,000 requests under faults: complete messages or Anthropic errors, no hang, no leak", async () => {
  const stub = createVllmStub({ model: "stub-model", reply: () => ({ text: TEXT }), fault: faultFor });
  const up = await stub.listen();
  const proxy = await startProxy({ upstream: { baseUrl: up.url, model: "stub-model" }, dialect: "native", port: 0, coldStart: { deadlineMs: 2000, retryDelayMs: 20, pingIntervalMs: 30 } });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  try {
    // warm-up, then the baseline
    for (let i = 0; i < 20; i++) await postRaw(`${proxy.url}/v1/messages`, { model: "m", max_tokens: 100, messages: [{ role: "user", content: "w" }] }, { agent });
    const baseline = heapAfterGc();
    const sent = stub.requests.length;

    const outcomes: Outcome[] = new Array(N);
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < N) {
        const i = next++;
        const r = await postRaw(`${proxy.url}/v1/messages`, { model: "m", max_tokens: 100, stream: isStreamReq(i), messages: [{ role: "user", content: `request ${i}` }] }, { agent, timeoutMs: 10_000 });
        outcomes[i] = classify(r);
      }
    }));

    const invalid = outcomes.filter((o) => o.kind === "invalid");
    expect(invalid).toEqual([]);
    const messages = outcomes.filter((o): o is Extract<Outcome, { kind: "message" }> => o.kind === "message");
    for (const m of messages) expect(m).toEqual({ kind: "message", text: TEXT, stop: "end_turn" });
    // what the stub did decides what each client must have seen
    // (a drop only exists in a streamed answer; the stub's request order equals ours as requests are numbered on arrival,
    //  so compare counts, not positions)
    const streamedShare = stub.requests.slice(sent).map((r) => r.stream === true);
    const expectedErrors = streamedShare.filter((streamed, k) => {
      const f = faultFor(sent + k);
      return f === "500" || (streamed && typeof f === "object" && "drop" in f);
    }).length;
    expect(streamedShare.filter(Boolean).length).toBe(outcomes.filter((_, i) => isStreamReq(i)).length);
    expect(outcomes.filter((o) => o.kind === "error").length).toBe(expectedErrors);
    expect(messages.length).toBe(N - expectedErrors);
    expect(expectedErrors).toBeGreaterThanOrEqual(80);

    expect(stub.inFlight).toBe(0);
    const after = heapAfterGc();
    expect(after - baseline).toBeLessThan(8 * 2 ** 20);
  } finally {
    agent.destroy();
    await proxy.close();
    await up.close();
  }
}, 60_000);
