// createApp(deps) → the proxy as a Hono app. Routes live in routes/*, translation in translate/* (pure),
// the upstream client in upstream.ts + exchange.ts, the one SSE writer/reader in sse.ts, errors in errors.ts.
import { Hono } from "hono";
import type { ProxyDeps } from "./config.ts";
import { ProxyError } from "./errors.ts";
import { authorize, errorReply, requestIdOf } from "./gate.ts";
import { countTokens, getModels } from "./routes/info.ts";
import { postMessages } from "./routes/messages.ts";
import { resolveRuntime, type AppEnv, type Runtime } from "./runtime.ts";

export type { ProxyDeps, UpstreamConfig } from "./config.ts";

/** Throws on bad configuration (construction time, not at the first request). */
export function createApp(deps: ProxyDeps): Hono<AppEnv> {
  return createAppFor(resolveRuntime(deps));
}

/** The app on a resolved runtime (startProxy shares one runtime between this app and its node:http route). */
export function createAppFor(rt: Runtime): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    c.set("rt", rt);
    c.set("requestId", requestIdOf(rt, (n) => c.req.header(n)));
    await next();
  });

  // Claude Code sends HEAD / at startup without credentials; Hono answers HEAD with the GET route, without the body.
  app.get("/", (c) => c.text("coding-agent-server proxy\n"));
  app.get("/health", (c) => c.json({ status: "ok", dialect: rt.dialect.name }));

  app.use("/v1/*", async (c, next) => {
    authorize(rt, (n) => c.req.header(n));
    return next();
  });

  app.post("/v1/messages", postMessages);
  app.post("/v1/messages/count_tokens", countTokens);
  app.get("/v1/models", getModels);

  app.notFound((c) => {
    const e = new ProxyError("not_found_error", `no route for ${c.req.method} ${c.req.path}`);
    return c.json(e.body(), 404);
  });
  app.onError((err, c) => {
    const r = errorReply(rt, err, c.get("requestId"), c.req.path);
    return c.json(r.body, r.status as 400);
  });
  return app;
}
