// The fast lane of request validation: a hand-written check that vouches for a body only when the zod schema
// (validate.ts) would accept it as it is. It is stricter than the schema, never looser (anything it is unsure of —
// a class instance, a missing optional written as undefined, an odd number — is left to zod), so a body it passes
// is one zod passes, and every 400 still comes from zod with zod's wording; tests/runtime/proxy-well-formed.test.ts
// checks both over captured, generated and mutated bodies. Why: zod costs ~0.09 ms per request at concurrency 1
// (its parse copies every object it checks) and ~12 MB of RSS, for bodies that are nearly always well formed
// (PERFORMANCE.md, fourth pass). Given a body this accepts, the body itself is the validated request (no copy).
import type { AnthropicRequest } from "../types.ts";

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}
const isStr = (v: unknown): v is string => typeof v === "string";
const isCount = (v: unknown) => Number.isSafeInteger(v);
const isFiniteNum = (v: unknown) => typeof v === "number" && Number.isFinite(v);
/** a key the schema marks optional: absent, or present with the right type (undefined is left to zod) */
const absent = (o: Obj, k: string) => !Object.hasOwn(o, k);

function arrayOf(v: unknown, item: (x: unknown) => boolean): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (!item(v[i])) return false;
  return true;
}

function typed(v: unknown): v is Obj & { type: string } {
  return isObj(v) && isStr(v.type);
}

function imageSource(s: unknown): boolean {
  if (!typed(s)) return false;
  if (s.type === "base64") return isStr(s.media_type) && isStr(s.data);
  if (s.type === "url") return isStr(s.url);
  return false;
}

/** one content block: the known types field by field (validate.ts KNOWN), any other type as it is */
function block(b: unknown): boolean {
  if (!typed(b)) return false;
  switch (b.type) {
    case "text": return isStr(b.text);
    case "image": return imageSource(b.source);
    case "tool_use": return isStr(b.id) && isStr(b.name) && b.input !== undefined;
    case "tool_result":
      return isStr(b.tool_use_id)
        && (absent(b, "content") || isStr(b.content) || arrayOf(b.content, typed))
        && (absent(b, "is_error") || typeof b.is_error === "boolean");
    case "thinking": return isStr(b.thinking);
    default: return true;
  }
}

function message(m: unknown): boolean {
  if (!isObj(m)) return false;
  if (m.role !== "user" && m.role !== "assistant" && m.role !== "system") return false;
  return isStr(m.content) || arrayOf(m.content, block);
}

function tool(t: unknown): boolean {
  return isObj(t) && isStr(t.name)
    && (absent(t, "description") || isStr(t.description))
    && (absent(t, "input_schema") || isObj(t.input_schema));
}

const TOOL_CHOICES = new Set(["auto", "any", "tool", "none"]);

/** true only for a body validateRequest accepts unchanged (including its tool_choice rule) */
export function wellFormedRequest(body: unknown): body is AnthropicRequest {
  if (!isObj(body)) return false;
  const b = body;
  if (!isStr(b.model) || !arrayOf(b.messages, message)) return false;
  if (!(isCount(b.max_tokens) && (b.max_tokens as number) > 0)) return false;
  if (!absent(b, "system") && !(isStr(b.system) || arrayOf(b.system, (s) => typed(s) && (absent(s, "text") || isStr(s.text))))) return false;
  if (!absent(b, "tools") && !arrayOf(b.tools, tool)) return false;
  if (!absent(b, "tool_choice")) {
    const c = b.tool_choice;
    if (!typed(c) || !TOOL_CHOICES.has(c.type) || !(absent(c, "name") || isStr(c.name))) return false;
    if (c.type === "tool" && !isStr(c.name)) return false;
  }
  if (!absent(b, "stream") && typeof b.stream !== "boolean") return false;
  if (!absent(b, "temperature") && !isFiniteNum(b.temperature)) return false;
  if (!absent(b, "top_p") && !isFiniteNum(b.top_p)) return false;
  if (!absent(b, "top_k") && !isCount(b.top_k)) return false;
  if (!absent(b, "stop_sequences") && !arrayOf(b.stop_sequences, isStr)) return false;
  if (!absent(b, "thinking")) {
    const t = b.thinking;
    if (!typed(t) || !(absent(t, "budget_tokens") || isFiniteNum(t.budget_tokens))) return false;
  }
  return true;
}
