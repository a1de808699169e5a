// System prompt text, shared by both dialects.
import type { TextBlock } from "../types.ts";

// Claude Code's first system block is "x-anthropic-billing-header: cc_version=…" whose suffix changes between
// sessions; it means nothing to our models and would make otherwise identical prompts miss the prefix cache.
const BILLING_HEADER = "x-anthropic-billing-header:";

/** System blocks (or a string) → one system message text. Non-text blocks are ignored. */
export function systemText(system: string | ReadonlyArray<TextBlock | { type: string }>): string {
  if (typeof system === "string") return system;
  const texts: string[] = [];
  for (const b of system) {
    if (b.type !== "text") continue;
    const text = (b as TextBlock).text;
    if (text.startsWith(BILLING_HEADER)) continue;
    texts.push(text);
  }
  return texts.join("\n\n");
}
