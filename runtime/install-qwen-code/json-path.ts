// Immutable get/set/remove on parsed JSON by path. A path segment is an object key, or `{ id }` for the
// element of an array whose `id` field matches (qwen-code's `modelProviders.openai[]` is keyed that way).

export type Segment = string | { readonly id: string };
export type JsonPath = readonly Segment[];
export type JsonObject = { [key: string]: unknown };

/** Returned by `getAt` when nothing is at the path (distinct from a stored `null`). */
export const ABSENT: unique symbol = Symbol("absent");

export const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

const hasId = (v: unknown, id: string): boolean => isObject(v) && v["id"] === id;

export function pathToString(path: JsonPath): string {
  return path.map((s) => (typeof s === "string" ? (/^[\w$-]+$/.test(s) ? s : JSON.stringify(s)) : `[id=${s.id}]`)).join(".");
}

export function samePath(a: JsonPath, b: JsonPath): boolean {
  return a.length === b.length && a.every((s, i) => (typeof s === "string" ? s === b[i] : typeof b[i] === "object" && (b[i] as { id: string }).id === s.id));
}

export function getAt(root: unknown, path: JsonPath): unknown {
  let node: unknown = root;
  for (const seg of path) {
    if (typeof seg === "string") {
      if (!isObject(node) || !Object.hasOwn(node, seg)) return ABSENT;
      node = node[seg];
    } else {
      if (!Array.isArray(node)) return ABSENT;
      const found = node.find((el) => hasId(el, seg.id));
      if (found === undefined) return ABSENT;
      node = found;
    }
  }
  return node;
}

/** A copy of `root` with `value` at `path`; missing containers are created (objects, or arrays for `{id}`). */
export function setAt(root: unknown, path: JsonPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [seg, ...rest] = path;
  if (typeof seg === "string") {
    const base: JsonObject = isObject(root) ? root : {};
    const child = Object.hasOwn(base, seg) ? base[seg] : rest.length > 0 && typeof rest[0] === "object" ? [] : undefined;
    return { ...base, [seg]: setAt(child, rest, value) };
  }
  const base: unknown[] = Array.isArray(root) ? root : [];
  const index = base.findIndex((el) => hasId(el, seg.id));
  if (index === -1) return [...base, setAt(undefined, rest, value)];
  return base.map((el, i) => (i === index ? setAt(el, rest, value) : el));
}

/** A copy of `root` without whatever is at `path`; unchanged (same reference) when nothing is there. */
export function removeAt(root: unknown, path: JsonPath): unknown {
  if (path.length === 0 || getAt(root, path) === ABSENT) return root;
  const [seg, ...rest] = path;
  if (typeof seg === "string") {
    const obj = root as JsonObject;
    if (rest.length === 0) {
      const { [seg]: _removed, ...kept } = obj;
      return kept;
    }
    return { ...obj, [seg]: removeAt(obj[seg], rest) };
  }
  const arr = root as unknown[];
  const index = arr.findIndex((el) => hasId(el, seg.id));
  if (rest.length === 0) return arr.filter((_, i) => i !== index);
  return arr.map((el, i) => (i === index ? removeAt(el, rest) : el));
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
