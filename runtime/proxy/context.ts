// Context-window arithmetic and facts derived from the request itself (never from process state).
import type { AnthropicRequest, OpenAIChatRequest } from "./types.ts";

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

/** vLLM refused a request for its length. "prompt": the prompt alone fills the window (nothing to retry);
 *  "max_tokens": the completion budget does not fit (retry with one that does). Numbers are vLLM's when it gave
 *  them; `atLeast` marks vLLM 0.33's count, which stops at the window + 1 however long the prompt is. */
export type ContextOverflow =
  | { kind: "prompt"; maxModelLen?: number; promptTokens?: number; atLeast?: boolean }
  | { kind: "max_tokens"; maxModelLen: number; promptTokens?: number };

const n = (s: string | undefined) => Number(s);

/** Parses vLLM's length errors (the message of its 400 body). vLLM 0.33 (vllm/renderers/params.py, sampling_params.py;
 *  recorded in tests/fixtures/vllm/errors.json):
 *  - "max_tokens=M cannot be greater than max_model_len=L. Please request fewer output tokens."
 *  - "This model's maximum context length is L tokens. However, your prompt contains at least P input tokens, which
 *    exceeds this limit even without any output tokens. …" (or "… contains C characters (more than X characters …")
 *  - "max_tokens must be at least 1, got 0." — what a prompt of exactly L tokens leaves, since 0.33 clamps max_tokens
 *    to L − P instead of rejecting prompt + max_tokens > L.
 *  Older releases: "'max_tokens' or 'max_completion_tokens' is too large: M. This model's maximum context length is L
 *  tokens and your request has P input tokens (M > L - P).", "… However, your request has P input tokens. Please
 *  reduce the length of the input messages.", "… However, you requested T tokens (P in the messages, M in the
 *  completion). …". */
export function parseContextOverflow(message: string): ContextOverflow | undefined {
  let m = /max_tokens=\d+ cannot be greater than max_model_len=(\d+)/.exec(message);
  if (m) return { kind: "max_tokens", maxModelLen: n(m[1]) };
  if (/max_tokens must be at least 1, got (0|-\d+)\b/.test(message)) return { kind: "prompt" };
  const len = /maximum context length is (\d+) tokens/.exec(message);
  if (!len) return undefined;
  const maxModelLen = n(len[1]);
  if ((m = /your prompt contains (at least )?(\d+) input tokens/.exec(message))) {
    return { kind: "prompt", maxModelLen, promptTokens: n(m[2]), ...(m[1] ? { atLeast: true } : {}) };
  }
  if (/your prompt contains \d+ characters/.test(message)) return { kind: "prompt", maxModelLen, promptTokens: maxModelLen + 1, atLeast: true };
  if ((m = /is too large: \d+\..*your request has (\d+) input tokens/s.exec(message))) return { kind: "max_tokens", maxModelLen, promptTokens: n(m[1]) };
  if ((m = /\((\d+) in the messages/.exec(message))) return { kind: "max_tokens", maxModelLen, promptTokens: n(m[1]) };
  if ((m = /your request has (\d+) input tokens/.exec(message))) return { kind: "prompt", maxModelLen, promptTokens: n(m[1]) };
  return undefined;
}

/** Below this many tokens of room a retry is pointless: the user has to compact. */
export const MIN_COMPLETION_ROOM = 16;

export function compactMessage(o: ContextOverflow): string {
  const size = o.maxModelLen === undefined ? ""
    : o.promptTokens === undefined ? ` (${o.maxModelLen} tokens)`
      : ` (${"atLeast" in o && o.atLeast ? "at least " : ""}${o.promptTokens} prompt tokens of ${o.maxModelLen})`;
  return `The conversation no longer fits this model's context window${size}. Run /compact to summarize it, then continue.`;
}
