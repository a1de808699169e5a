// A line-per-value diff of two settings objects, for --dry-run and the install summary (pure).
// Secret values are replaced before anything is printed.
import { isObject, pathToString } from "./json-path.ts";
import type { JsonPath } from "./json-path.ts";

type Leaf = { readonly path: JsonPath; readonly value: unknown };

function leaves(value: unknown, path: JsonPath = []): Leaf[] {
  if (isObject(value) && (Object.keys(value).length > 0 || path.length === 0)) {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  }
  // Arrays of `{id}` objects (modelProviders.openai) are diffed per element, other arrays as one value.
  if (Array.isArray(value) && value.length > 0 && value.every((el) => isObject(el) && typeof el["id"] === "string")) {
    return value.flatMap((el) => leaves(el, [...path, { id: (el as { id: string }).id }]));
  }
  return [{ path, value }];
}

const REDACTED = "<redacted>";
// Values stored under these names are secrets whatever they are (env keys, header names).
const SECRET_NAME = /api_?key|secret|token|password|^authorization$|^modal-key$/i;

const lastName = (path: JsonPath): string => {
  const last = path[path.length - 1];
  return typeof last === "string" ? last : "";
};

/** Replaces every string equal to one of `secrets` (and every string inside objects/arrays) with a marker. */
export function redact(value: unknown, secrets: ReadonlySet<string>): unknown {
  if (typeof value === "string") return secrets.has(value) ? REDACTED : value;
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, secrets)]));
  return value;
}

export function settingsDiff(before: unknown, after: unknown, secrets: ReadonlySet<string> = new Set()): string[] {
  const show = (l: Leaf) => JSON.stringify(SECRET_NAME.test(lastName(l.path)) ? REDACTED : redact(l.value, secrets));
  const old = new Map(leaves(before).map((l) => [pathToString(l.path), l]));
  const now = new Map(leaves(after).map((l) => [pathToString(l.path), l]));
  const lines: string[] = [];
  for (const [key, leaf] of now) {
    const was = old.get(key);
    if (!was) lines.push(`+ ${key}: ${show(leaf)}`);
    else if (JSON.stringify(was.value) !== JSON.stringify(leaf.value)) lines.push(`~ ${key}: ${show(was)} -> ${show(leaf)}`);
  }
  for (const [key, leaf] of old) if (!now.has(key)) lines.push(`- ${key}: ${show(leaf)}`);
  return lines;
}
