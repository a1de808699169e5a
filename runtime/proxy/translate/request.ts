// Anthropic request → OpenAI chat request. The dialect renders messages and tools; this adds what is common:
// model, the clamped max_tokens, sampling parameters, stop sequences, streaming and usage options.
import type { Dialect, DialectContext } from "../dialect.ts";
import type { AnthropicRequest, OpenAIChatRequest } from "../types.ts";
import { clampMaxTokens } from "../context.ts";

export interface RequestOptions {
  /** upstream model name (else the client's) */
  model?: string;
  maxModelLen?: number;
}

/** Does the client want thinking blocks? (adaptive / enabled → yes; disabled or absent → no) */
export function wantsThinking(req: AnthropicRequest): boolean {
  return req.thinking?.type === "enabled" || req.thinking?.type === "adaptive";
}

export function toOpenAIRequest(req: AnthropicRequest, dialect: Dialect, ctx: DialectContext, opts: RequestOptions): OpenAIChatRequest {
  const prompt = dialect.toUpstream(req, ctx);
  const stream = req.stream === true;
  const out: OpenAIChatRequest = {
    model: opts.model ?? req.model,
    messages: prompt.messages,
    max_tokens: clampMaxTokens(req.max_tokens, opts.maxModelLen),
    stream,
  };
  if (prompt.tools) out.tools = prompt.tools;
  if (prompt.tool_choice !== undefined) out.tool_choice = prompt.tool_choice;
  if (req.tool_choice && "disable_parallel_tool_use" in req.tool_choice && req.tool_choice.disable_parallel_tool_use) {
    out.parallel_tool_calls = false;
  }
  if (stream) out.stream_options = { include_usage: true };
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.top_p !== undefined) out.top_p = req.top_p;
  if (req.top_k !== undefined) out.top_k = req.top_k;
  if (req.stop_sequences && req.stop_sequences.length > 0) out.stop = req.stop_sequences;
  return out;
}
