// Context-window arithmetic and facts derived from the request itself (never from process state).
import type { ContextOverflow } from "../../lib/vllm-length-errors.ts";
import type { AnthropicRequest, OpenAIChatRequest } from "./types.ts";

// vLLM's length errors are parsed in lib/ (the vlm-analyzer reads the same messages)
export { parseContextOverflow, type ContextOverflow } from "../../lib/vllm-length-errors.ts";

// Claude Code states its working directory in an environment block: "Primary working directory: /x" (2.1.19x,
// in the system prompt or a <system-reminder>) or "Working directory: /x" (2.1.330, in a role:"system" message).
const CWD_RE = /(?:Primary working directory|Working directory):\s*(\S[^\n]*)/g;

function firstCwd(text: string): string | undefined {
  const at = text.indexOf("orking directory:");
  if (at < 0) return undefined;
  // every match contains that phrase, so none starts before it ("Primary w" is 9 characters): the regex only
  // scans from there instead of trying both alternatives at each position of a system prompt
  CWD_RE.lastIndex = Math.max(0, at - 9);
  const m = CWD_RE.exec(text);
  return m ? m[1].trim() : undefined;
}

/** The working directory Claude Code announced in this request, if any. */
export function workingDirectoryOf(req: AnthropicRequest): string | undefined {
  if (typeof req.system === "string") {
    const c = firstCwd(req.system);
    if (c) return c;
  } else if (req.system) {
    for (const b of req.system) if (b.type === "text") { const c = firstCwd(b.text); if (c) return c; }
  }
  for (const m of req.messages) {
    if (m.role === "assistant") continue;
    if (typeof m.content === "string") { const c = firstCwd(m.content); if (c) return c; continue; }
    for (const b of m.content) if (b.type === "text") { const c = firstCwd(b.text); if (c) return c; }
  }
  return undefined;
}

/** Rough prompt size in tokens: ~4 characters per token for English and code, +per-message template overhead. */
export function estimateTokens(upstream: Pick<OpenAIChatRequest, "messages" | "tools">): number {
  let chars = 0;
  for (const m of upstream.messages) {
    chars += 16;
    if (typeof m.content === "string") chars += m.content.length;
    else if (Array.isArray(m.content)) for (const p of m.content) chars += p.type === "text" ? p.text.length : 1000 * 4;
    if (m.role === "assistant" && m.tool_calls) for (const t of m.tool_calls) chars += t.function.arguments.length + t.function.name.length;
  }
  if (upstream.tools) chars += JSON.stringify(upstream.tools).length;
  return Math.ceil(chars / 4);
}

/** The completion budget to ask for: at most the window. vLLM 0.33 rejects only max_tokens > max_model_len and
 *  itself clamps max_tokens to window − prompt (recorded: tests/fixtures/vllm/clamped-max-tokens.sse), so guessing the
 *  prompt's size here would only cut answers short; an older vLLM that rejects the sum names its numbers and the retry
 *  (exchange.ts) uses them. */
export function clampMaxTokens(requested: number, maxModelLen: number | undefined): number {
  return maxModelLen ? Math.min(requested, maxModelLen) : requested;
}

/** Below this many tokens of room a retry is pointless: the user has to compact. */
export const MIN_COMPLETION_ROOM = 16;

export function compactMessage(o: ContextOverflow): string {
  const size = o.maxModelLen === undefined ? ""
    : o.promptTokens === undefined ? ` (${o.maxModelLen} tokens)`
      : ` (${"atLeast" in o && o.atLeast ? "at least " : ""}${o.promptTokens} prompt tokens of ${o.maxModelLen})`;
  return `The conversation no longer fits this model's context window${size}. Run /compact to summarize it, then continue.`;
}
