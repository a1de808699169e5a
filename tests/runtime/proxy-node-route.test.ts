// startProxy serves POST /v1/messages on node:http (routes/node-route.ts) and everything else through the Hono
// app; createApp().request() (what most proxy tests use) runs the Hono route. Both must answer alike: the same
// requests go to both, over a real socket and in-process, and status, content type and body are compared.
// (HEAD / is also served on node:http: Hono, loaded on the first other request, is not needed for the probe.)
import http from "node:http";
import { createApp } from "../../runtime/proxy/app.ts";
import { nativeDialect } from "../../runtime/proxy/dialects/native.ts";
import type { LogFields } from "../../runtime/proxy/log.ts";
import { startProxy, type RunningProxy } from "../../runtime/proxy/server.ts";
import { createVllmStub } from "../support/vllm-stub.ts";

const TOKEN = "secret-token";
const MAX = 4096;
const ok = { model: "claude-opus-4-8", max_tokens: 50, messages: [{ role: "user", content: "héllo ✓" }] };

interface Answer { status: number; type: string; body: string }
interface Case { name: string; path?: string; method?: string; body?: string | Buffer; headers?: Record<string, string>; chunked?: boolean }

const auth = { "x-api-key": TOKEN };
const cases: Case[] = [
  { name: "a message", body: JSON.stringify(ok), headers: auth },
  { name: "a stream", body: JSON.stringify({ ...ok, stream: true }), headers: { ...auth, "x-request-id": "req-given" } },
  { name: "a tool call stream, Bearer token", body: JSON.stringify({ ...ok, stream: true, tools: [{ name: "Bash", input_schema: { type: "object" } }] }), headers: { authorization: `Bearer ${TOKEN}` } },
  { name: "query string", path: "/v1/messages?beta=true", body: JSON.stringify(ok), headers: auth },
  { name: "no token", body: JSON.stringify(ok) },
  { name: "wrong token", body: JSON.stringify(ok), headers: { "x-api-key": "nope" } },
  { name: "invalid UTF-8", body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), headers: auth },
  { name: "invalid JSON", body: "{", headers: auth },
  { name: "empty body", body: "", headers: auth },
  { name: "not an object", body: "[1]", headers: auth },
  { name: "a field of the wrong type", body: JSON.stringify({ ...ok, max_tokens: "x" }), headers: auth },
  { name: "nested too deeply", body: "[".repeat(3000) + "]".repeat(3000), headers: { ...auth } },
  { name: "too large (declared)", body: JSON.stringify({ ...ok, pad: "x".repeat(MAX) }), headers: auth },
  { name: "too large (chunked, no length)", body: JSON.stringify({ ...ok, pad: "x".repeat(MAX) }), headers: auth, chunked: true },
  { name: "trailing slash (no route)", path: "/v1/messages/", body: JSON.stringify(ok), headers: auth },
  { name: "GET /v1/messages", method: "GET", headers: auth },
  { name: "count_tokens", path: "/v1/messages/count_tokens", body: JSON.stringify({ model: "m", messages: ok.messages }), headers: auth },
  // Claude Code's startup probe, answered on node:http before Hono is loaded; then the routes of the lazily loaded app
  { name: "HEAD / (the probe)", path: "/", method: "HEAD" },
  { name: "HEAD / with a query string", path: "/?x=1", method: "HEAD" },
  { name: "GET /", path: "/", method: "GET" },
  { name: "GET /health", path: "/health", method: "GET" },
  { name: "HEAD /health (not the probe)", path: "/health", method: "HEAD" },
];

function overSocket(base: string, c: Case): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = c.body === undefined ? undefined : Buffer.from(c.body);
    const headers: Record<string, string | number> = { "content-type": "application/json", ...c.headers };
    if (body !== undefined && !c.chunked) headers["content-length"] = body.length;
    const req = http.request(new URL(c.path ?? "/v1/messages", base), { method: c.method ?? "POST", headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body: text }));
    });
    req.on("error", reject);
    if (c.chunked && body) { req.write(body.subarray(0, 100)); req.end(body.subarray(100)); } else req.end(body);
  });
}

async function inProcess(app: ReturnType<typeof createApp>, c: Case): Promise<Answer> {
  const res = await app.request(c.path ?? "/v1/messages", { method: c.method ?? "POST", headers: { "content-type": "application/json", ...c.headers }, ...(c.body !== undefined ? { body: c.body } : {}) });
  return { status: res.status, type: String(res.headers.get("content-type")), body: await res.text() };
}

let proxy: RunningProxy;
let closeStub: () => Promise<void>;
let app: ReturnType<typeof createApp>;
const logs: { socket: Array<[string, LogFields | undefined]>; app: Array<[string, LogFields | undefined]> } = { socket: [], app: [] };
const ids = () => { let n = 0; return () => `id${++n}`; };

beforeAll(async () => {
  const stub = createVllmStub({ model: "stub-model", reply: (r) => (r.tools ? { toolCalls: [{ name: "Bash", arguments: { command: "ls" } }] } : { text: "Hi there ✓" }) });
  const up = await stub.listen();
  closeStub = up.close;
  const common = { upstream: { baseUrl: up.url, model: "stub-model" }, token: TOKEN, maxBodyBytes: MAX };
  proxy = await startProxy({ ...common, dialect: "native", port: 0, newId: ids(), logger: { log: (_l, msg, f) => logs.socket.push([msg, f]) } });
  // the app talks to the same stub over its own socket (node:http transport), like startProxy
  app = createApp({ ...common, dialect: nativeDialect, newId: ids(), logger: { log: (_l, msg, f) => logs.app.push([msg, f]) } });
});
afterAll(async () => { await proxy.close(); await closeStub(); });

it.each(cases.map((c) => [c.name, c] as const))("%s: the node route answers as the Hono app", async (_, c) => {
  logs.socket.length = 0;
  logs.app.length = 0;
  // the stub names tool calls at random
  const norm = (a: Answer) => ({ ...a, body: a.body.replace(/chatcmpl-tool-[0-9a-f]+/g, "chatcmpl-tool-N") });
  const viaSocket = norm(await overSocket(proxy.url, c));
  const viaApp = norm(await inProcess(app, c));
  expect(viaSocket).toEqual(viaApp);
  // the same log lines, minus timings
  const strip = (l: Array<[string, LogFields | undefined]>) => l.map(([m, f]) => [m, { ...f, ms: undefined }]);
  expect(strip(logs.socket)).toEqual(strip(logs.app));
});

it("the answers are the real ones, not two identical failures", async () => {
  const [msg, stream, tool] = await Promise.all(cases.slice(0, 3).map((c) => overSocket(proxy.url, c)));
  expect(msg.status).toBe(200);
  expect(JSON.parse(msg.body).content[0].text).toBe("Hi there ✓");
  expect(stream.type).toBe("text/event-stream; charset=utf-8");
  const texts = [...stream.body.matchAll(/"text_delta","text":("[^"]*")/g)].map((m) => JSON.parse(m[1]) as string);
  expect(texts.join("")).toBe("Hi there ✓");
  expect(stream.body.trimEnd().endsWith('event: message_stop\ndata: {"type":"message_stop"}')).toBe(true);
  expect(tool.body).toContain('"type":"tool_use"');
  expect(tool.body).toContain('"partial_json"');
});
