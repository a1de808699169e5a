// /testbed (where SWE-agent trajectories live) ⇄ Claude Code's working directory. Both directions are pure
// and inverse to each other on the paths the model writes, so a history renders back to what the model said.
import { TESTBED } from "./tools.ts";

// A path starts at the beginning of a command/text or after a separator a shell or a sentence puts before it…
const BEFORE = String.raw`(^|[\s"'=:(;|&<>\x60,\[{])`;
// …and ends at a path separator, a shell separator, or a sentence end ("… is /testbed.").
const AFTER = String.raw`(?=$|[/\s"'\x60:;)|&<>,\]}]|\.(?:$|\s))`;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function normalizeDir(dir: string): string {
  return dir.length > 1 && dir.endsWith("/") ? dir.slice(0, -1) : dir;
}

function stripDotSlash(p: string): string {
  let s = p;
  while (s.startsWith("./")) s = s.slice(2);
  return s === "." ? "" : s;
}

/** A path the model wrote → the path Claude Code should use. Without a known cwd, /testbed becomes relative. */
export function toLocalPath(swePath: string, cwd: string | undefined): string {
  const base = cwd === undefined ? undefined : normalizeDir(cwd);
  let rel: string | undefined;
  if (swePath === TESTBED || swePath === `${TESTBED}/`) rel = "";
  else if (swePath.startsWith(`${TESTBED}/`)) rel = swePath.slice(TESTBED.length + 1);
  else if (!swePath.startsWith("/") && swePath !== "") rel = stripDotSlash(swePath);
  if (rel === undefined) return swePath;
  if (base === undefined) return rel === "" ? "." : rel;
  return rel === "" ? base : `${base}/${rel}`;
}

/** A path Claude Code used → the path as the model knows it (inverse of toLocalPath). */
export function toSwePath(localPath: string, cwd: string | undefined): string {
  const base = cwd === undefined ? undefined : normalizeDir(cwd);
  if (base !== undefined) {
    if (localPath === base || localPath === `${base}/`) return TESTBED;
    if (localPath.startsWith(`${base}/`)) return `${TESTBED}/${localPath.slice(base.length + 1)}`;
  }
  if (localPath.startsWith("/") || localPath === "") return localPath;
  const rel = stripDotSlash(localPath);
  return rel === "" ? TESTBED : `${TESTBED}/${rel}`;
}

function replaceRoot(text: string, from: string, to: string): string {
  const re = new RegExp(BEFORE + escapeRegExp(from) + AFTER, "g");
  return text.replace(re, (_m, before: string) => before + to);
}

/** /testbed inside a shell command → the working directory (only where a path starts, not in /x/testbed). */
export function commandToLocal(command: string, cwd: string | undefined): string {
  if (cwd === undefined) return replaceRoot(command, TESTBED, ".");
  return replaceRoot(command, TESTBED, normalizeDir(cwd));
}

/** The working directory inside a command or a tool's output → /testbed. */
export function textToSwe(text: string, cwd: string | undefined): string {
  if (cwd === undefined) return text;
  const base = normalizeDir(cwd);
  if (base === "/" || base === "") return text;
  return replaceRoot(text, base, TESTBED);
}

/** Single-quote for a POSIX shell unless the string is plainly safe. */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_\-./@%+=:,]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Inverse of shellQuote for the forms it produces. */
export function shellUnquote(s: string): string | undefined {
  if (/^[A-Za-z0-9_\-./@%+=:,]+$/.test(s)) return s;
  const m = /^'((?:[^']|'\\'')*)'$/.exec(s);
  return m ? m[1].replace(/'\\''/g, "'") : undefined;
}
