// startProxy: the proxy on a real socket, 127.0.0.1 unless told otherwise. POST /v1/messages (every model
// request) is served by the node:http route (routes/node-route.ts); the other routes by the Hono app through
// @hono/node-server's listener. Both share one resolved runtime.
import { getRequestListener } from "@hono/node-server";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createAppFor } from "./app.ts";
import type { ProxyDeps } from "./config.ts";
import type { Dialect } from "./dialect.ts";
import { dialectByName, type DialectName } from "./dialects/index.ts";
import { isMessagesRoute, serveMessages } from "./routes/node-route.ts";
import { resolveRuntime } from "./runtime.ts";

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

export function startProxy(opts: StartProxyOptions): Promise<RunningProxy> {
  const dialect = typeof opts.dialect === "string" ? dialectByName(opts.dialect) : opts.dialect;
  const rt = resolveRuntime({ ...opts, dialect });
  const hostname = opts.hostname ?? "127.0.0.1";
  const rest = getRequestListener(createAppFor(rt).fetch, { hostname });
  const server = http.createServer((req, res) => {
    if (isMessagesRoute(req)) void serveMessages(rt, req, res);
    else void rest(req, res);
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
