// vLLM's length errors (the message of its 400 body), parsed once for the proxy's max_tokens retry
// (runtime/proxy/exchange.ts) and the vlm-analyzer's hints (mcp/vlm/http-errors.ts).

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
