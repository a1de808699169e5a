// UTF-8 ⇄ string for the request bodies (tens of KB each way). Node 24's own conversions (Buffer#toString,
// TextDecoder, Buffer.from) cost 40–100 µs on a 19 KB body with a few non-ASCII characters — more than the whole
// translation; ICU's transcode plus a UTF-16 copy does the same in a quarter of that (bench/proxy.bench.ts).
// The results are the same as TextDecoder("utf-8", { fatal: true }) and Buffer.from(s, "utf8") (tests/runtime/proxy-utf8.test.ts).
import { isAscii, isUtf8, transcode } from "node:buffer";

/** Below this size the plain conversions are as fast. */
const SMALL = 1024;

/** Strict UTF-8 decoding: undefined when the bytes are not valid UTF-8. A leading BOM is dropped, as TextDecoder does. */
export function decodeUtf8(buf: Uint8Array): string | undefined {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (isAscii(b)) return b.toString("latin1");
  if (!isUtf8(b)) return undefined;
  const body = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? b.subarray(3) : b;
  if (body.length < SMALL) return body.toString("utf8");
  const utf16 = transcode(body, "utf8", "ucs2");
  return utf16.toString("ucs2");
}

/** UTF-8 bytes of a string; lone surrogates become U+FFFD, as with Buffer.from. */
export function encodeUtf8(s: string): Buffer {
  if (s.length < SMALL) return Buffer.from(s, "utf8");
  // one byte per character: ASCII, so its Latin-1 bytes are its UTF-8 (the usual upstream body, translate/serialize.ts)
  if (Buffer.byteLength(s, "utf8") === s.length) return Buffer.from(s, "latin1");
  try {
    return transcode(Buffer.from(s, "ucs2"), "ucs2", "utf8");
  } catch {
    return Buffer.from(s, "utf8"); // ICU refuses lone surrogates (JSON.stringify never leaves any)
  }
}
