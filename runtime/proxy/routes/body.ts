// Reading a JSON body defensively: size limit (413), strict UTF-8 and JSON syntax (400 naming the body).
// The checks are shared by the Hono route (readJson) and the node:http route (node-route.ts).
import type { Context } from "hono";
import { invalidRequest, ProxyError } from "../errors.ts";
import { decodeUtf8 } from "../utf8.ts";

export function tooLarge(bytes: number, maxBytes: number): ProxyError {
  return new ProxyError("request_too_large", `request body is ${bytes} bytes; the limit is ${maxBytes}`);
}

/** A declared Content-Length above the limit is refused before a byte is read. */
export function checkDeclaredLength(header: string | undefined, maxBytes: number): void {
  const declared = Number(header ?? "0");
  if (declared > maxBytes) throw tooLarge(declared, maxBytes);
}

/** The body's bytes (all of them, already within the limit) → the parsed JSON value. */
export function parseJsonBody(buf: Uint8Array): unknown {
  if (buf.byteLength === 0) throw invalidRequest("body: empty; expected a JSON object");
  const text = decodeUtf8(buf);
  if (text === undefined) throw invalidRequest("body: not valid UTF-8");
  try {
    return JSON.parse(text);
  } catch (err) {
    const why = err instanceof RangeError ? "nested too deeply" : "not valid JSON";
    throw invalidRequest(`body: ${why}`);
  }
}

export async function readJson(c: Context, maxBytes: number): Promise<unknown> {
  checkDeclaredLength(c.req.header("content-length"), maxBytes);
  const buf = await c.req.arrayBuffer();
  if (buf.byteLength > maxBytes) throw tooLarge(buf.byteLength, maxBytes);
  return parseJsonBody(new Uint8Array(buf));
}
