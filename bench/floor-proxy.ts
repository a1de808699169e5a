// The floor for proxy CPU per request: a bare node:http proxy with a keep-alive agent, the upstream answer piped
// back untranslated. FLOOR_MODE=raw forwards a cached translation (two HTTP hops, no JSON work); json (default)
// parses, translates and stringifies each request. Run: BENCH_PROXY_CMD="--max-semi-space-size=8 bench/floor-proxy.ts" node bench/proxy.bench.ts --quick
import http from "node:http";
const root = new URL("..", import.meta.url).pathname;
const { toOpenAIRequest } = await import(root + "/runtime/proxy/translate/request.ts");
const { nativeDialect } = await import(root + "/runtime/proxy/dialects/native.ts");
const upstream = new URL(process.argv[2] + "/chat/completions");
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const mode = process.env.FLOOR_MODE ?? "json";
const cache = new Map<number, Buffer>();
const server = http.createServer((req, res) => {
  const parts: Buffer[] = [];
  req.on("data", (d: Buffer) => parts.push(d));
  req.on("end", () => {
    const raw = Buffer.concat(parts);
    let body = cache.get(raw.length);
    if (mode === "json" || !body) {
      const a = JSON.parse(raw.toString("utf8"));
      body = Buffer.from(JSON.stringify(toOpenAIRequest(a, nativeDialect, {}, { model: "stub-model" })));
      cache.set(raw.length, body);
    }
    const up = http.request(upstream, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": body.length } }, (ur) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      ur.on("data", (d: Buffer) => res.write(d));
      ur.on("end", () => res.end());
    });
    up.setNoDelay(true);
    up.end(body);
  });
});
server.listen(0, "127.0.0.1", () => { console.error(`Proxy running on http://127.0.0.1:${(server.address() as any).port}`); });
