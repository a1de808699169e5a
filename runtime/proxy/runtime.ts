// ProxyDeps resolved once at construction (defaults filled, URLs and auth headers built, config checked) and
// handed to every route through the Hono context. Immutable: nothing here changes after createApp returns.
import type { HttpBindings } from "@hono/node-server";
import { randomUUID } from "node:crypto";
import type { ColdStartOptions, ProxyDeps, UpstreamConfig } from "./config.ts";
import { DEFAULT_COLD_START, DEFAULT_MAX_BODY_BYTES } from "./config.ts";
import type { Dialect } from "./dialect.ts";
import { DescriptionCache } from "./images/describe.ts";
import { silentLogger, type Logger } from "./log.ts";
import { fetchTransport, httpTransport, type Transport } from "./transport.ts";
import { requestSerializer, type RequestSerializer } from "./translate/serialize.ts";
import { upstreamHeaders, upstreamUrls, type UpstreamUrls } from "./upstream.ts";

export interface Runtime {
  readonly upstream: UpstreamConfig;
  readonly urls: UpstreamUrls;
  readonly headers: Record<string, string>;
  readonly dialect: Dialect;
  readonly transport: Transport;
  readonly logger: Logger;
  readonly token?: string;
  readonly cwd?: string;
  readonly coldStart: ColdStartOptions;
  readonly maxBodyBytes: number;
  readonly newId: () => string;
  /** images → descriptions, for an upstream without vision (absent: images go upstream as they are) */
  readonly images?: DescriptionCache;
  /** the upstream body's JSON text, long strings cached across requests */
  readonly serialize: RequestSerializer;
}

/** Bindings are present when served by @hono/node-server (startProxy) and absent under app.request() in tests. */
export type AppEnv = { Bindings: Partial<HttpBindings>; Variables: { rt: Runtime; requestId: string } };

export function resolveRuntime(deps: ProxyDeps): Runtime {
  let url: URL;
  try {
    url = new URL(deps.upstream.baseUrl);
  } catch {
    throw new Error(`upstream.baseUrl: not a URL: ${JSON.stringify(deps.upstream.baseUrl)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`upstream.baseUrl: expected http(s), got ${url.protocol}`);
  if ((deps.upstream.modalKey === undefined) !== (deps.upstream.modalSecret === undefined)) {
    throw new Error("upstream.modalKey and upstream.modalSecret: give both or neither");
  }
  if (deps.token !== undefined && deps.token.length === 0) throw new Error("token: must not be empty when given");
  const coldStart = { ...DEFAULT_COLD_START, ...deps.coldStart };
  for (const [k, v] of Object.entries(coldStart)) {
    if (!Number.isFinite(v) || v < 0) throw new Error(`coldStart.${k}: expected a non-negative number, got ${v}`);
  }
  if (coldStart.pingIntervalMs <= 0) throw new Error("coldStart.pingIntervalMs: must be positive");
  return {
    upstream: deps.upstream,
    urls: upstreamUrls(deps.upstream.baseUrl),
    headers: upstreamHeaders(deps.upstream),
    dialect: deps.dialect,
    transport: deps.fetch ? fetchTransport(deps.fetch) : httpTransport(),
    logger: deps.logger ?? silentLogger,
    token: deps.token,
    cwd: deps.cwd,
    coldStart,
    maxBodyBytes: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    newId: deps.newId ?? (() => randomUUID().replaceAll("-", "")),
    ...(deps.images ? { images: new DescriptionCache(deps.images) } : {}),
    serialize: requestSerializer(),
  };
}
