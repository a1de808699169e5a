// A failure the person (or agent) at the other end can act on. Tool handlers turn it into an isError
// result whose text is exactly `message`; anything else is reported as an internal error.

export class ToolError extends Error {
  override readonly name = "ToolError";
}

/** Node system-error code (ENOENT, ECONNREFUSED, …) of an error or of its cause chain. */
export function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Why a fetch failed, in a few words: the system error code, else the innermost cause's message ("bad port"). */
export function networkReason(err: unknown): string {
  const code = errorCode(err);
  if (code) return code;
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e instanceof Error && e.cause instanceof Error; depth++) e = e.cause;
  return messageOf(e);
}
