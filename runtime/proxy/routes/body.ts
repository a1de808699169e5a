// Reading a JSON body defensively: size limit (413), strict UTF-8 and JSON syntax (400 naming the body).
import type { Context } from "hono";
import { invalidRequest, ProxyError } from "../errors.ts";
import { decodeUtf8 } from "../utf8.ts";

export async function readJson(c: Context, maxBytes: number): Promise<unknown> {
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > maxBytes) throw new ProxyError("request_too_large", `request body is ${declared} bytes; the limit is ${maxBytes}`);
  const buf = await c.req.arrayBuffer();
  if (buf.byteLength > maxBytes) throw new ProxyError("request_too_large", `request body is ${buf.byteLength} bytes; the limit is ${maxBytes}`);
  if (buf.byteLength === 0) throw invalidRequest("body: empty; expected a JSON object");
  const text = decodeUtf8(new Uint8Array(buf));
  if (text === undefined) throw invalidRequest("body: not valid UTF-8");
  try {
    return JSON.parse(text);
  } catch (err) {
    const why = err instanceof RangeError ? "nested too deeply" : "not valid JSON";
    throw invalidRequest(`body: ${why}`);
  }
}
