// Non-streamed responses reuse the stream translator: the completion becomes one synthetic chunk, and the events
// are folded into a message the way the Anthropic SDK's accumulator does. One code path for both modes.
import type { AnthropicResponse, OpenAIChunk, OpenAICompletion, StreamEvent } from "../types.ts";
import { createStreamTranslator, type TranslatorOptions } from "./stream.ts";

export function completionAsChunk(c: OpenAICompletion): OpenAIChunk {
  const choice = c.choices?.[0];
  const m = choice?.message;
  return {
    id: c.id, object: "chat.completion.chunk", created: c.created, model: c.model,
    choices: choice
      ? [{
          index: 0,
          delta: {
            content: m?.content ?? null,
            reasoning_content: m?.reasoning_content ?? m?.reasoning ?? null,
            tool_calls: m?.tool_calls?.map((t, i) => ({ index: i, id: t.id, type: "function" as const, function: t.function })),
          },
          finish_reason: choice.finish_reason ?? "stop",
          stop_reason: choice.stop_reason,
        }]
      : [],
    usage: c.usage ?? null,
  };
}

/** Folds a complete event sequence into the message it describes. */
export function accumulate(events: readonly StreamEvent[]): AnthropicResponse {
  let msg: AnthropicResponse | undefined;
  const json = new Map<number, string>();
  for (const e of events) {
    switch (e.type) {
      case "message_start": msg = { ...e.message, content: [], usage: { ...e.message.usage } }; break;
      case "content_block_start": msg!.content[e.index] = { ...e.content_block }; break;
      case "content_block_delta": {
        const b = msg!.content[e.index];
        if (e.delta.type === "text_delta" && b.type === "text") b.text += e.delta.text;
        else if (e.delta.type === "thinking_delta" && b.type === "thinking") b.thinking += e.delta.thinking;
        else if (e.delta.type === "input_json_delta") json.set(e.index, (json.get(e.index) ?? "") + e.delta.partial_json);
        break;
      }
      case "content_block_stop": {
        const b = msg!.content[e.index];
        if (b.type === "tool_use") {
          const s = json.get(e.index) ?? "";
          try { b.input = s === "" ? {} : JSON.parse(s); } catch { b.input = {}; }
        }
        break;
      }
      case "message_delta":
        msg!.stop_reason = e.delta.stop_reason;
        msg!.stop_sequence = e.delta.stop_sequence;
        msg!.usage.output_tokens = e.usage.output_tokens;
        if (e.usage.input_tokens !== undefined) msg!.usage.input_tokens = e.usage.input_tokens;
        break;
      default: break;
    }
  }
  if (!msg) throw new Error("no message_start in the event sequence");
  return msg;
}

export function completionToMessage(c: OpenAICompletion, o: Omit<TranslatorOptions, "emit">): AnthropicResponse {
  const events: StreamEvent[] = [];
  const t = createStreamTranslator({ ...o, emit: (e) => events.push(e) });
  t.start(c.usage?.prompt_tokens);
  t.push(completionAsChunk(c));
  t.finish();
  return accumulate(events);
}
