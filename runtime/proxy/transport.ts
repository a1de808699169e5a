// How bytes reach the upstream. Two interchangeable transports behind one small interface:
// - httpTransport: node:http/https with a keep-alive agent per app — the default, because undici's fetch costs
//   several times more CPU per request than the whole translation (measured in bench/proxy.bench.ts);
// - fetchTransport: any fetch function — used when ProxyDeps.fetch is injected (tests pass a stub's fetch).
import type * as Http from "node:http";
import https from "node:https";
import { encodeUtf8 } from "./utf8.ts";

/** node:http, not through `import`: an ESM import of node:http evaluates its lazy WebSocket/CloseEvent/MessageEvent
 *  exports, which loads Node's bundled undici (~7 MB of RSS) into a proxy that never uses it. */
export const http: typeof Http = process.getBuiltinModule("node:http");

export interface UpstreamResponse {
  readonly status: number;
  readonly ok: boolean;
  text(): Promise<string>;
  /** the body as it arrives (strings or bytes) */
  readonly body: AsyncIterable<string | Uint8Array>;
}

export interface TransportRequest {
  readonly method: "GET" | "POST";
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly signal: AbortSignal;
}

export interface Transport {
  (url: string, init: TransportRequest): Promise<UpstreamResponse>;
  /** closes pooled connections (RunningProxy.close) */
  close?(): void;
}

export function fetchTransport(f: typeof fetch): Transport {
  return async (url, init) => {
    const res = await f(url, { method: init.method, headers: init.headers, body: init.body, signal: init.signal });
    const empty: AsyncIterable<Uint8Array> = { async *[Symbol.asyncIterator]() {} };
    return { status: res.status, ok: res.ok, text: () => res.text(), body: res.body ?? empty };
  };
}

async function readAll(body: AsyncIterable<string | Uint8Array>): Promise<string> {
  let s = "";
  for await (const c of body) s += c;
  return s;
}

/** The request on the wire. Its callbacks close over the promise's settlers and the request only: they live until
 *  the upstream answers (cold starts: minutes), and a closure over the body would keep its bytes and text alive
 *  that long, into V8's old generation under load (PERFORMANCE.md, fourth pass). */
function post(mod: typeof http | typeof https, u: URL, options: Http.RequestOptions, body: Buffer | undefined): Promise<UpstreamResponse> {
  let resolve!: (r: UpstreamResponse) => void;
  let reject!: (e: unknown) => void;
  const answered = new Promise<UpstreamResponse>((a, b) => { resolve = a; reject = b; });
  const req = mod.request(u, options, (res) => {
    res.setEncoding("utf8");
    const status = res.statusCode ?? 0;
    resolve({ status, ok: status >= 200 && status < 300, text: () => readAll(res), body: res });
  });
  // whether a pooled keep-alive socket failed: the server may have closed it just before we wrote (upstream.ts)
  req.on("error", (err) => reject(Object.assign(err, { reusedSocket: req.reusedSocket })));
  // the request body is written in one go; the socket's Nagle delay would otherwise cost ~40 ms per request
  req.setNoDelay(true);
  req.end(body);
  return answered;
}

/** One keep-alive agent pair per transport (per app instance), so connections to vLLM are reused. */
export function httpTransport(): Transport {
  const agents = {
    "http:": new http.Agent({ keepAlive: true, maxSockets: 256 }),
    "https:": new https.Agent({ keepAlive: true, maxSockets: 256 }),
  };
  const send: Transport = (url, init) => {
    const u = new URL(url);
    const headers: Record<string, string | number> = { ...init.headers };
    // encoded once (a length from the string and then a write of it would each walk its UTF-8), and fast (utf8.ts)
    const body = init.body === undefined ? undefined : encodeUtf8(init.body);
    if (body !== undefined) headers["content-length"] = body.length;
    return post(u.protocol === "https:" ? https : http, u, { method: init.method, headers, agent: agents[u.protocol as "http:"], signal: init.signal }, body);
  };
  send.close = () => { agents["http:"].destroy(); agents["https:"].destroy(); };
  return send;
}
