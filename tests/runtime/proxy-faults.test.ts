// Faults over real sockets (127.0.0.1, random ports): upstream 500, a drop mid-stream, a slow first byte, and a
// client that goes away — which must abort the upstream request at once.
import Anthropic from "@anthropic-ai/sdk";
import { startProxy, type RunningProxy } from "../../runtime/proxy/server.ts";
import { createVllmStub, type VllmStubOptions } from "../support/vllm-stub.ts";
import { classify, postRaw } from "../support/sse-client.ts";

const body = (stream: boolean) => ({ model: "claude-opus-4-8", max_tokens: 200, stream, messages: [{ role: "user", content: "go" }] });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

async function setup(stubOpts: VllmStubOptions, ping = 1000): Promise<{ proxy: RunningProxy; stub: ReturnType<typeof createVllmStub> }> {
  const stub = createVllmStub({ model: "stub-model", ...stubOpts });
  const up = await stub.listen();
  cleanups.push(up.close);
  const proxy = await startProxy({ upstream: { baseUrl: up.url, model: "stub-model" }, dialect: "native", port: 0, coldStart: { deadlineMs: 3000, retryDelayMs: 20, pingIntervalMs: ping } });
  cleanups.push(proxy.close);
  return { proxy, stub };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

it("binds 127.0.0.1 by default", async () => {
  const { proxy } = await setup({});
  expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

it("upstream 500 → HTTP 500 api_error (stream and not)", async () => {
  const { proxy } = await setup({ fault: () => "500" });
  for (const stream of [true, false]) {
    const r = await postRaw(`${proxy.url}/v1/messages`, body(stream));
    expect(r.status).toBe(500);
    expect(classify(r)).toEqual({ kind: "error", type: "api_error" });
  }
});

it("a drop mid-stream → event: error, then the stream ends cleanly", async () => {
  const { proxy } = await setup({ reply: () => ({ text: "z".repeat(80) }), fault: () => ({ drop: 6 }), chunkDelayMs: 2 });
  const r = await postRaw(`${proxy.url}/v1/messages`, body(true));
  expect(r.status).toBe(200);
  expect(r.events[0].event).toBe("message_start");
  // what was relayed before the drop reached the client (the frame in flight at the drop may be lost with it)
  const deltas = r.events.filter((e) => e.event === "content_block_delta").length;
  expect(deltas).toBeGreaterThanOrEqual(4);
  expect(deltas).toBeLessThanOrEqual(5);
  expect(classify(r)).toEqual({ kind: "error", type: "api_error" });
});

it("a slow first byte: pings keep the client alive, then the whole message", async () => {
  const { proxy } = await setup({ reply: () => ({ text: "late but whole" }), fault: () => ({ slowMs: 400 }) }, 50);
  const r = await postRaw(`${proxy.url}/v1/messages`, body(true));
  expect(r.events.filter((e) => e.event === "ping").length).toBeGreaterThanOrEqual(3);
  expect(classify(r)).toEqual({ kind: "message", text: "late but whole", stop: "end_turn" });
});

it("client abort mid-stream → the upstream request is aborted at once", async () => {
  const { proxy, stub } = await setup({ reply: () => ({ text: "w".repeat(4000) }), chunkDelayMs: 5 });
  const client = new Anthropic({ apiKey: "x", baseURL: proxy.url, maxRetries: 0 });
  const stream = client.messages.stream({ model: "m", max_tokens: 2000, messages: [{ role: "user", content: "go" }] });
  const settled = stream.done().then(() => "completed", (e: Error) => e.name);
  await new Promise<void>((res) => stream.on("text", () => res()));
  expect(stub.inFlight).toBe(1);
  stream.abort();
  expect(await settled).toBe("APIUserAbortError");
  await until(() => stub.aborted === 1);
  expect(stub.inFlight).toBe(0);
});

it("client abort while the upstream is still silent → upstream aborted too", async () => {
  const { proxy, stub } = await setup({ fault: () => ({ slowMs: 5000 }) }, 50);
  const ac = new AbortController();
  const p = fetch(`${proxy.url}/v1/messages`, { method: "POST", body: JSON.stringify(body(true)), signal: ac.signal }).then((r) => r.body?.getReader().read());
  await until(() => stub.requests.length === 1);
  ac.abort();
  await expect(p).rejects.toThrow();
  await until(() => stub.aborted === 1);
});

/** An upstream that answers every request with `raw` (status line, headers, a partial or odd body) and then closes. */
async function rawUpstream(raw: string): Promise<string> {
  const { createServer } = await import("node:net");
  const server = createServer((sock) => {
    sock.once("data", () => { sock.end(raw); });
    sock.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
}

it.each([
  ["closes mid-body", "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"id\":\"chatcmpl-1\",", "upstream closed the connection before its answer was complete"],
  ["answers 200 with a body that is not JSON", "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 13\r\nconnection: close\r\n\r\n<html></html>", "upstream answered HTTP 200 with a body that is not JSON"],
])("an unstreamed answer whose upstream %s → api_error saying so, not a generic proxy error", async (_what, raw, message) => {
  const proxy = await startProxy({ upstream: { baseUrl: await rawUpstream(raw), model: "stub-model" }, dialect: "native", port: 0, coldStart: { deadlineMs: 3000, retryDelayMs: 20, pingIntervalMs: 1000 } });
  cleanups.push(proxy.close);
  const r = await postRaw(`${proxy.url}/v1/messages`, body(false));
  expect(r.status).toBe(500);
  expect(JSON.parse(r.body)).toEqual({ type: "error", error: { type: "api_error", message } });
});
