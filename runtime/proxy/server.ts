// startProxy: the app on a real socket (@hono/node-server), 127.0.0.1 unless told otherwise.
import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { createApp } from "./app.ts";
import type { ProxyDeps } from "./config.ts";
import type { Dialect } from "./dialect.ts";
import { dialectByName, type DialectName } from "./dialects/index.ts";

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
  const app = createApp({ ...opts, dialect });
  const hostname = opts.hostname ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: opts.port ?? 8080, hostname }, (info: AddressInfo) => {
      const host = hostname.includes(":") ? `[${hostname}]` : hostname;
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((res) => {
            server.close(() => res());
            // open keep-alive/streaming sockets would hold close() forever
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once("error", reject);
  });
}
