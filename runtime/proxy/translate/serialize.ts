// The upstream request as JSON text. Claude Code resends its system prompt, tool descriptions and the whole
// history on every turn, and JSON.stringify of those long strings is the largest single cost of a request: a few
// non-ASCII characters (every real system prompt has some) make V8 build the whole body as a two-byte string, which
// is slow to write and slow to encode as UTF-8 (PERFORMANCE.md). So long strings are serialized once per text,
// with non-ASCII characters as \u escapes (the same JSON value), and reused through JSON.rawJSON: the body stays
// a one-byte string and the next turn does not escape the same 10 KB again.
import type { OpenAIChatRequest, OpenAIContentPart, OpenAIMessage, OpenAITool } from "../types.ts";

/** Strings shorter than this are cheaper to serialize than to look up. */
const MIN_CHARS = 256;
/** Longer ones (file contents, say) are rarely resent verbatim and would crowd out the rest. */
const MAX_CHARS = 256 * 1024;

type Raw = unknown;
const rawJSON = (JSON as unknown as { rawJSON?: (text: string) => Raw }).rawJSON;

const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** JSON text of s with only ASCII characters (non-ASCII as \uXXXX, surrogate pairs as two escapes). */
export function asciiJson(s: string): string {
  return JSON.stringify(s).replace(/[\u0080-\uffff]/g, escapeChar);
}

export interface RequestSerializer {
  (req: OpenAIChatRequest): string;
  /** characters held (for tests and the memory budget) */
  readonly heldChars: number;
}

/** A serializer with its own cache (one per proxy). Holds at most `budgetChars` characters of strings and keeps
 *  the most recently used ones. */
export function requestSerializer(budgetChars = 4 * 1024 * 1024): RequestSerializer {
  // Looked up by length, then compared: a Map keyed by the string itself would hash every long string of every
  // request (they are new strings each time, from JSON.parse), ~2 % of the proxy's CPU; equal lengths are rare
  // among long texts and a comparison of equal strings is a memcmp (PERFORMANCE.md, fourth pass).
  interface Entry { readonly s: string; readonly raw: Raw }
  const byLength = new Map<number, Entry[]>();
  const order = new Set<Entry>(); // least recently used first
  let held = 0;

  function raw(s: string): string | Raw {
    if (rawJSON === undefined || s.length < MIN_CHARS || s.length > MAX_CHARS) return s;
    let list = byLength.get(s.length);
    if (list !== undefined) {
      for (const e of list) {
        if (e.s !== s) continue;
        order.delete(e); // most recently used last: the eviction below takes the oldest first
        order.add(e);
        return e.raw;
      }
    } else {
      list = [];
      byLength.set(s.length, list);
    }
    const e: Entry = { s, raw: rawJSON(asciiJson(s)) };
    list.push(e);
    order.add(e);
    held += s.length;
    for (const old of order) {
      if (held <= budgetChars) break;
      order.delete(old);
      const same = byLength.get(old.s.length)!;
      same.splice(same.indexOf(old), 1);
      if (same.length === 0) byLength.delete(old.s.length);
      held -= old.s.length;
    }
    return e.raw;
  }

  function part(p: OpenAIContentPart): OpenAIContentPart {
    return p.type === "text" && p.text.length >= MIN_CHARS ? { ...p, text: raw(p.text) as string } : p;
  }

  function message(m: OpenAIMessage): OpenAIMessage {
    const c = m.content;
    let content: unknown = c;
    if (typeof c === "string") content = raw(c);
    else if (Array.isArray(c)) content = c.map(part);
    if (m.role === "assistant" && (m.tool_calls || m.reasoning_content)) {
      return {
        ...m, content: content as string,
        ...(m.tool_calls ? { tool_calls: m.tool_calls.map((t) => ({ ...t, function: { ...t.function, arguments: raw(t.function.arguments) as string } })) } : {}),
        ...(m.reasoning_content !== undefined ? { reasoning_content: raw(m.reasoning_content) as string } : {}),
      };
    }
    return content === c ? m : ({ ...m, content } as OpenAIMessage);
  }

  /** A tool's JSON Schema has descriptions of its own (JSON.rawJSON takes strings, not objects: walked). */
  function deep(v: unknown): unknown {
    if (typeof v === "string") return raw(v);
    if (v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map(deep);
    // no prototype: a schema property named "__proto__" stays a key (on a plain object the assignment sets the prototype)
    const o: Record<string, unknown> = Object.create(null);
    for (const k in v) o[k] = deep((v as Record<string, unknown>)[k]);
    return o;
  }

  function tool(t: OpenAITool): OpenAITool {
    const d = t.function.description;
    const fn: OpenAITool["function"] = { ...t.function, parameters: deep(t.function.parameters) as Record<string, unknown> };
    if (d !== undefined) fn.description = raw(d) as string;
    return { ...t, function: fn };
  }

  const serialize = ((req: OpenAIChatRequest): string => {
    const out: OpenAIChatRequest = { ...req, messages: req.messages.map(message) };
    if (req.tools) out.tools = req.tools.map(tool);
    return JSON.stringify(out);
  }) as RequestSerializer;
  Object.defineProperty(serialize, "heldChars", { get: () => held });
  return serialize;
}
