// startProxy: the proxy on a real socket, 127.0.0.1 unless told otherwise. POST /v1/messages (every model
// request) is served by the node:http route (routes/node-route.ts), and so is Claude Code's HEAD / probe at startup;
// the other routes by the Hono app through @hono/node-server's listener. Both share one resolved runtime.
// Hono and @hono/node-server are loaded on the first request that needs them, not at start: @hono/node-server
// installs its web Request/Response, which loads Node's bundled undici, ~9 MB of RSS for a session that may never
// ask for /health or count_tokens (PERFORMANCE.md, third pass).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ProxyDeps } from "./config.ts";
import type { Dialect } from "./dialect.ts";
import { dialectByName, type DialectName } from "./dialects/index.ts";
import { isMessagesRoute, serveMessages } from "./routes/node-route.ts";
import { requestIdOf } from "./gate.ts";
import { resolveRuntime, type Runtime } from "./runtime.ts";
import { http } from "./transport.ts";

export interface StartProxyOptions extends Omit<ProxyDeps, "dialect"> {
  readonly dialect: Dialect | DialectName;
  /** 0 = a free port; default 8080 */
  readonly port?: number;
  /** default 127.0.0.1: the proxy speaks for the user's upstream credentials, so it stays local */
  readonly hostname?: string;
}

export interface RunningProxy {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => unknown;

/** HEAD / as the app answers it: Hono serves HEAD as GET without the body (GET / is text/plain). */
function isProbe(req: IncomingMessage): boolean {
  if (req.method !== "HEAD") return false;
  const url = req.url ?? "";
  return url === "/" || url.startsWith("/?");
}

function serveProbe(rt: Runtime, req: IncomingMessage, res: ServerResponse): void {
  // the app's middleware takes a request id for every request; so does this, so the ids given out stay the same
  requestIdOf(rt, (n) => req.headers[n] as string | undefined);
  res.writeHead(200, { "content-type": "text/plain; charset=UTF-8" });
  res.end();
}

/** The Hono app's listener, built on first use. */
function lazyListener(rt: Runtime, hostname: string): Listener {
  let listener: Promise<Listener> | undefined;
  return (req, res) => {
    listener ??= Promise.all([import("@hono/node-server"), import("./app.ts")]).then(([{ getRequestListener }, { createAppFor }]) =>
      getRequestListener(createAppFor(rt).fetch, { hostname }),
    );
    listener.then((l) => l(req, res), (err: unknown) => {
      rt.logger.log("error", "could not load the proxy's routes", { error: String(err).slice(0, 300) });
      res.writeHead(500).end();
    });
  };
}

export function startProxy(opts: StartProxyOptions): Promise<RunningProxy> {
  const dialect = typeof opts.dialect === "string" ? dialectByName(opts.dialect) : opts.dialect;
  const rt = resolveRuntime({ ...opts, dialect });
  const hostname = opts.hostname ?? "127.0.0.1";
  const rest = lazyListener(rt, hostname);
  const server = http.createServer((req, res) => {
    if (isMessagesRoute(req)) void serveMessages(rt, req, res);
    else if (isProbe(req)) serveProbe(rt, req, res);
    else rest(req, res);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 8080, hostname, () => {
      const info = server.address() as AddressInfo;
      const host = hostname.includes(":") ? `[${hostname}]` : hostname;
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((res) => {
            server.close(() => res());
            // open keep-alive/streaming sockets would hold close() forever
            server.closeAllConnections();
            // and so would the pooled upstream connections keep the event loop alive
            rt.transport.close?.();
          }),
      });
    });
  });
}
