// createApp(deps) → the proxy as a Hono app. Routes live in routes/*, translation in translate/* (pure),
// the upstream client in upstream.ts + exchange.ts, the one SSE writer/reader in sse.ts, errors in errors.ts.
import { Hono } from "hono";
import { timingSafeEqual } from "node:crypto";
import type { ProxyDeps } from "./config.ts";
import { ProxyError, toProxyError } from "./errors.ts";
import { countTokens, getModels } from "./routes/info.ts";
import { postMessages } from "./routes/messages.ts";
import { resolveRuntime, type AppEnv } from "./runtime.ts";

export type { ProxyDeps, UpstreamConfig } from "./config.ts";

function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Throws on bad configuration (construction time, not at the first request). */
export function createApp(deps: ProxyDeps): Hono<AppEnv> {
  const rt = resolveRuntime(deps);
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    c.set("rt", rt);
    c.set("requestId", c.req.header("x-request-id") ?? `req_${rt.newId()}`);
    await next();
  });

  // Claude Code sends HEAD / at startup without credentials.
  app.on("HEAD", "/", (c) => c.body(null, 200));
  app.get("/", (c) => c.text("coding-agent-server proxy\n"));
  app.get("/health", (c) => c.json({ status: "ok", dialect: rt.dialect.name }));

  app.use("/v1/*", async (c, next) => {
    if (rt.token === undefined) return next();
    const bearer = c.req.header("authorization");
    const given = c.req.header("x-api-key") ?? (bearer?.startsWith("Bearer ") ? bearer.slice(7) : undefined);
    if (!tokenMatches(given, rt.token)) throw new ProxyError("authentication_error", "invalid or missing proxy token (x-api-key or Authorization: Bearer)");
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
    const e = toProxyError(err);
    const level = e.status >= 500 ? "error" : "info";
    rt.logger.log(level, "request failed", {
      requestId: c.get("requestId"), path: c.req.path, status: e.status, type: e.type,
      ...(err instanceof ProxyError ? {} : { error: (err as Error)?.name, detail: String((err as Error)?.message).slice(0, 300) }),
    });
    return c.json(e.body(), e.status as 400);
  });
  return app;
}
