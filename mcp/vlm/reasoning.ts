// Qwen3-VL-Thinking answers as "<reasoning></think>\n\n<answer>". vLLM with `--reasoning-parser qwen3` moves the
// reasoning to `reasoning_content` (newer releases: `reasoning`); without the parser, or with a parser that predates
// the chat template opening <think> in the prompt (vllm#34779), it stays in `content`. Only the answer is returned.

export interface StrippedAnswer {
  readonly text: string;
  /** True when the content held reasoning that never reached </think>: the answer was cut off while thinking. */
  readonly unfinishedReasoning: boolean;
}

/** Pure: the answer part of a Thinking model's message content. */
export function stripReasoning(content: string | null | undefined): StrippedAnswer {
  let s = content ?? "";
  const open = /^\s*<think>/.exec(s);
  const close = s.indexOf("</think>");
  if (close >= 0) {
    // Covers both a leading <think>…</think> and the bare …</think> the Qwen3 Thinking template produces.
    s = s.slice(close + "</think>".length);
  } else if (open) {
    return { text: "", unfinishedReasoning: true };
  }
  return { text: s.trim(), unfinishedReasoning: false };
}
