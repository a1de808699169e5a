// Errors as Claude Code expects them: {"type":"error","error":{"type":…,"message":…}} with the matching HTTP status
// (https://docs.anthropic.com/en/api/errors). One mapper for thrown errors and one for upstream (vLLM) failures.
import type { AnthropicErrorBody, AnthropicErrorType } from "./types.ts";

const STATUS_OF: Record<AnthropicErrorType, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

/** A failure the proxy reports to its client. Messages must be safe to show: no secrets, no stack traces. */
export class ProxyError extends Error {
  readonly type: AnthropicErrorType;
  readonly status: number;
  constructor(type: AnthropicErrorType, message: string) {
    super(message);
    this.name = "ProxyError";
    this.type = type;
    this.status = STATUS_OF[type];
  }
  body(): AnthropicErrorBody {
    return { type: "error", error: { type: this.type, message: this.message } };
  }
}

export const invalidRequest = (message: string): ProxyError => new ProxyError("invalid_request_error", message);

/** Anything thrown that is not a ProxyError is a bug or an I/O failure: a generic 500, details only in the log. */
export function toProxyError(err: unknown): ProxyError {
  if (err instanceof ProxyError) return err;
  return new ProxyError("api_error", "internal proxy error");
}

/** vLLM error bodies: {"error":{"message",…}} (current) or {"object":"error","message",…} (older releases). */
export function upstreamMessage(bodyText: string): string | undefined {
  try {
    const body = JSON.parse(bodyText) as { message?: unknown; error?: { message?: unknown } | string; detail?: unknown };
    if (typeof body.error === "object" && body.error && typeof body.error.message === "string") return body.error.message;
    if (typeof body.error === "string") return body.error;
    if (typeof body.message === "string") return body.message;
    if (typeof body.detail === "string") return body.detail;
  } catch {
    // not JSON (a Modal/ingress HTML page, a plain-text 502): fall through
  }
  return undefined;
}

/** An upstream HTTP error → what the client sees. 5xx never leak upstream text (it may be an HTML error page). */
export function fromUpstreamStatus(status: number, bodyText: string): ProxyError {
  const msg = upstreamMessage(bodyText);
  const said = msg ? `: ${msg.slice(0, 2000)}` : "";
  if (status === 400 || status === 422) return new ProxyError("invalid_request_error", `upstream rejected the request${said}`);
  if (status === 401 || status === 403) {
    return new ProxyError("authentication_error", `upstream endpoint rejected the proxy's credentials (HTTP ${status}); check the endpoint API key or Modal token`);
  }
  if (status === 404) return new ProxyError("not_found_error", `upstream: not found${said}`);
  if (status === 413) return new ProxyError("request_too_large", `upstream: request too large${said}`);
  if (status === 429) return new ProxyError("rate_limit_error", `upstream is rate limiting${said}`);
  if (status === 502 || status === 503 || status === 504) {
    return new ProxyError("overloaded_error", `upstream endpoint unavailable (HTTP ${status}); it may still be starting`);
  }
  if (status >= 400 && status < 500) return new ProxyError("invalid_request_error", `upstream HTTP ${status}${said}`);
  return new ProxyError("api_error", `upstream error (HTTP ${status})`);
}
