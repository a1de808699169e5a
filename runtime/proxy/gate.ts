// What every route shares, framework-free (the Hono app and the node:http route both use it): the request id,
// the proxy token check, and a thrown error → its Anthropic error body, logged once.
import { timingSafeEqual } from "node:crypto";
import type { AnthropicErrorBody } from "./types.ts";
import { ProxyError, toProxyError } from "./errors.ts";
import type { Runtime } from "./runtime.ts";

type Header = (name: string) => string | undefined;

export function requestIdOf(rt: Runtime, header: Header): string {
  return header("x-request-id") ?? `req_${rt.newId()}`;
}

function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Throws authentication_error unless the request carries the proxy token (when one is set). */
export function authorize(rt: Runtime, header: Header): void {
  if (rt.token === undefined) return;
  const bearer = header("authorization");
  const given = header("x-api-key") ?? (bearer?.startsWith("Bearer ") ? bearer.slice(7) : undefined);
  if (!tokenMatches(given, rt.token)) throw new ProxyError("authentication_error", "invalid or missing proxy token (x-api-key or Authorization: Bearer)");
}

/** A failed request: logged (details of non-ProxyErrors only here, never to the client) and answered. */
export function errorReply(rt: Runtime, err: unknown, requestId: string | undefined, path: string): { status: number; body: AnthropicErrorBody } {
  const e = toProxyError(err);
  const level = e.status >= 500 ? "error" : "info";
  rt.logger.log(level, "request failed", {
    requestId, path, status: e.status, type: e.type,
    ...(err instanceof ProxyError ? {} : { error: (err as Error)?.name, detail: String((err as Error)?.message).slice(0, 300) }),
  });
  return { status: e.status, body: e.body() };
}
