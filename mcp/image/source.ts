// Where an image comes from: a local path (~ expanded, relative to the working directory), a file:// URL,
// an http(s) URL, or a data: URI. Every failure names the source and what to do about it.
import { readFile, stat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ToolError, errorCode, messageOf, networkReason } from "../errors.ts";

/** Larger inputs are refused before decoding: a 16K×16K PNG screenshot is well under this. */
export const MAX_INPUT_BYTES = 50 * 1024 * 1024;
export const URL_TIMEOUT_MS = 30_000;

export interface SourceDeps {
  readonly cwd: string;
  readonly home: string;
  readonly fetch: typeof fetch;
  readonly maxInputBytes?: number;
  readonly urlTimeoutMs?: number;
}

export interface LoadedImage {
  readonly bytes: Buffer;
  /** How the source is named in messages: the path as resolved, or the URL without query strings. */
  readonly label: string;
}

export type SourceKind = "data" | "http" | "file-url" | "path";

/** Pure: which kind of source a string is. */
export function classifySource(source: string): SourceKind {
  if (/^data:/i.test(source)) return "data";
  if (/^https?:\/\//i.test(source)) return "http";
  if (/^file:/i.test(source)) return "file-url";
  return "path";
}

/** Pure: a path as the user meant it: `~` is the home directory, relative paths start at `cwd`. */
export function resolvePath(path: string, cwd: string, home: string): string {
  const expanded = path === "~" ? home : path.startsWith("~/") || path.startsWith("~\\") ? home + path.slice(1) : path;
  return isAbsolute(expanded) ? expanded : resolve(cwd, expanded);
}

export async function loadImageSource(source: string, deps: SourceDeps, signal?: AbortSignal): Promise<LoadedImage> {
  const src = source.trim();
  if (src === "") throw new ToolError("The image source is empty: pass a file path, a file:// or http(s) URL, or a data: URI.");
  const max = deps.maxInputBytes ?? MAX_INPUT_BYTES;
  switch (classifySource(src)) {
    case "data":
      return { bytes: decodeDataUri(src, max), label: "the data: URI" };
    case "http":
      return loadUrl(src, deps, max, signal);
    case "file-url": {
      let path: string;
      try {
        path = fileURLToPath(src);
      } catch (err) {
        throw new ToolError(`${src} is not a valid file:// URL (${messageOf(err)}).`);
      }
      return loadFile(path, src, max, undefined);
    }
    case "path": {
      if (/^[a-z][a-z0-9+.-]+:\/\//i.test(src)) {
        throw new ToolError(`Unsupported URL scheme in ${JSON.stringify(src)}: use a file path, file://, http(s):// or data:.`);
      }
      const relative = !isAbsolute(src) && !src.startsWith("~");
      return loadFile(resolvePath(src, deps.cwd, deps.home), src, max, relative ? deps.cwd : undefined);
    }
  }
}

async function loadFile(path: string, given: string, max: number, relativeTo: string | undefined): Promise<LoadedImage> {
  const from = given === path ? "" : ` (from ${JSON.stringify(given)})`;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new ToolError(`${path}${from} is a directory, not an image file.`);
    if (st.size > max) throw new ToolError(`${path}${from} is ${mb(st.size)}, over the ${mb(max)} limit for an image.`);
    return { bytes: await readFile(path), label: path };
  } catch (err) {
    if (err instanceof ToolError) throw err;
    const code = errorCode(err);
    if (code === "ENOENT" || code === "ENOTDIR") {
      const hint = relativeTo ? ` Relative paths are resolved against the server's working directory ${relativeTo}; pass an absolute path.` : "";
      throw new ToolError(`File not found: ${path}${from}.${hint}`);
    }
    if (code === "EACCES" || code === "EPERM") throw new ToolError(`Cannot read ${path}${from}: permission denied.`);
    throw new ToolError(`Cannot read ${path}${from}: ${messageOf(err)}.`);
  }
}

function decodeDataUri(uri: string, max: number): Buffer {
  const comma = uri.indexOf(",");
  if (comma < 0) throw new ToolError("Malformed data: URI: there is no comma before the data.");
  const meta = uri.slice(5, comma);
  const payload = uri.slice(comma + 1);
  const bytes = /;base64$/i.test(meta)
    ? Buffer.from(payload.replace(/\s+/g, ""), "base64")
    : Buffer.from(decodeURIComponent(payload), "utf8");
  if (bytes.length === 0) throw new ToolError("The data: URI holds no data.");
  if (bytes.length > max) throw new ToolError(`The data: URI holds ${mb(bytes.length)}, over the ${mb(max)} limit for an image.`);
  return bytes;
}

async function loadUrl(url: string, deps: SourceDeps, max: number, signal?: AbortSignal): Promise<LoadedImage> {
  const label = url.replace(/[?#].*$/, "");
  const timeoutMs = deps.urlTimeoutMs ?? URL_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await deps.fetch(url, { signal: combined, redirect: "follow" });
  } catch (err) {
    if (timeout.aborted) throw new ToolError(`${label} did not answer within ${timeoutMs / 1000} s.`);
    throw new ToolError(`${label} is unreachable (${networkReason(err)}).`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new ToolError(`${label} answered HTTP ${res.status} ${res.statusText}`.trimEnd() + ".");
  }
  const declared = Number(res.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel();
    throw new ToolError(`${label} is too large: ${mb(declared)}, over the ${mb(max)} limit for an image.`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body ?? []) {
      total += chunk.length;
      if (total > max) {
        throw new ToolError(`${label} is too large: more than ${mb(max)}, the limit for an image.`);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    await res.body?.cancel().catch(() => undefined);
    if (err instanceof ToolError) throw err;
    if (timeout.aborted) throw new ToolError(`${label} did not finish downloading within ${timeoutMs / 1000} s.`);
    throw new ToolError(`Download of ${label} failed: ${networkReason(err)}.`);
  }
  return { bytes: Buffer.concat(chunks), label };
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
