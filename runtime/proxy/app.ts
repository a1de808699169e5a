// createApp(deps) → the proxy as a Hono app. Routes live in routes/*, translation in translate/* (pure),
// the upstream client in upstream.ts, the one SSE writer in sse.ts, the error mapper in errors.ts.
import { Hono } from "hono";
import type { ProxyDeps } from "./config.ts";

export type { ProxyDeps, UpstreamConfig } from "./config.ts";

export function createApp(deps: ProxyDeps): Hono {
  void deps;
  const app = new Hono();
  app.on("HEAD", "/", (c) => c.body(null, 200));
  app.get("/health", (c) => c.json({ status: "ok" }));
  // TODO(proxy core): /v1/messages, /v1/messages/count_tokens, /v1/models
  return app;
}
