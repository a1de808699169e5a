// OpenAI chat chunks → Anthropic stream events, one request at a time (all state lives in the returned object).
// One upstream chunk produces its deltas at once: nothing is held back except a possible partial <think> tag and,
// for dialects that do not stream tool arguments, a tool call until its arguments are complete.
import type { Dialect, DialectContext, ToolCallOutcome } from "../dialect.ts";
import type { FinishReason, OpenAIChunk, OpenAIToolCallDelta, OutputBlock, StopReason, StreamEvent } from "../types.ts";
import { createThinkSplitter } from "./think.ts";

export interface TranslatorOptions {
  readonly dialect: Dialect;
  readonly ctx: DialectContext;
  /** the client asked for thinking: reasoning becomes thinking blocks; otherwise it is dropped */
  readonly thinking: boolean;
  readonly model: string;
  readonly messageId: string;
  readonly stopSequences?: readonly string[];
  readonly emit: (e: StreamEvent) => void;
}

export interface StreamTranslator {
  start(inputTokens?: number): void;
  push(chunk: OpenAIChunk): void;
  /** closes open blocks and ends the message (message_delta + message_stop) */
  finish(): void;
  /** upstream sent a finish_reason: the answer is complete even if the connection then fails */
  readonly finished: boolean;
}

interface PendingCall { id: string; name: string; args: string; block: number }
type Open = "text" | "thinking" | "tool" | null;

export function createStreamTranslator(o: TranslatorOptions): StreamTranslator {
  const { emit, dialect } = o;
  const streamsArgs = dialect.streamsToolArguments;
  const think = createThinkSplitter();
  const calls: PendingCall[] = [];
  let open: Open = null;
  let index = -1;
  let finishReason: FinishReason = null;
  let matchedStop: string | number | null | undefined = null;
  let inputTokens: number | undefined;
  let outputTokens = 0;
  let toolUses = 0;
  let endTurn = false;

  function close(): void {
    if (open !== null) emit({ type: "content_block_stop", index });
    open = null;
  }
  function openBlock(kind: Exclude<Open, null>, block: OutputBlock): void {
    close();
    index++;
    open = kind;
    emit({ type: "content_block_start", index, content_block: block });
  }
  function text(t: string): void {
    if (open !== "text") openBlock("text", { type: "text", text: "" });
    emit({ type: "content_block_delta", index, delta: { type: "text_delta", text: t } });
  }
  function reasoning(t: string): void {
    if (!o.thinking) return;
    if (open !== "thinking") openBlock("thinking", { type: "thinking", thinking: "", signature: "" });
    emit({ type: "content_block_delta", index, delta: { type: "thinking_delta", thinking: t } });
  }
  function content(t: string): void {
    for (const s of think.push(t)) (s.thinking ? reasoning : text)(s.text);
  }
  function toolUse(id: string, name: string, json: string): void {
    openBlock("tool", { type: "tool_use", id, name, input: {} });
    toolUses++;
    if (json !== "") emit({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: json } });
  }
  function outcome(r: ToolCallOutcome): void {
    if (r.kind === "end_turn") endTurn = true;
    else if (r.kind === "text") text(r.text);
    else toolUse(r.id, r.name, JSON.stringify(r.input ?? {}));
  }
  /** non-streaming dialects: hand every buffered call with index < upTo to the dialect */
  function completeCalls(upTo: number): void {
    for (let i = 0; i < upTo && i < calls.length; i++) {
      const c = calls[i];
      if (!c || c.block === -2) continue;
      c.block = -2;
      outcome(dialect.fromToolCall({ id: c.id, name: c.name, arguments: c.args }, o.ctx));
    }
  }
  function toolDelta(d: OpenAIToolCallDelta): void {
    const i = d.index ?? 0;
    let c = calls[i];
    if (!c) {
      if (!streamsArgs) completeCalls(i);
      c = { id: d.id ?? `toolu_${o.messageId}_${i}`, name: "", args: "", block: -1 };
      calls[i] = c;
    }
    if (d.function?.name) c.name += d.function.name;
    const frag = d.function?.arguments ?? "";
    if (!streamsArgs) { c.args += frag; return; }
    if (c.block === -1) {
      if (c.name === "") { c.args += frag; return; } // name not known yet: hold arguments back
      toolUse(c.id, c.name, c.args + frag);
      c.block = index;
      c.args = "";
    } else if (frag !== "" && c.block === index && open === "tool") {
      emit({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: frag } });
    }
  }

  return {
    get finished() { return finishReason !== null; },
    start(tokens) {
      inputTokens = tokens;
      emit({
        type: "message_start",
        message: {
          id: o.messageId, type: "message", role: "assistant", model: o.model, content: [],
          stop_reason: null, stop_sequence: null, usage: { input_tokens: tokens ?? 0, output_tokens: 0 },
        },
      });
    },
    push(chunk) {
      if (chunk.usage) {
        inputTokens = chunk.usage.prompt_tokens;
        outputTokens = chunk.usage.completion_tokens;
      }
      const choice = chunk.choices?.[0];
      if (!choice) return;
      const d = choice.delta;
      if (d) {
        const r = d.reasoning_content ?? d.reasoning;
        if (r) reasoning(r);
        if (d.content) content(d.content);
        if (d.tool_calls) for (const t of d.tool_calls) toolDelta(t);
      }
      if (choice.finish_reason) {
        finishReason = choice.finish_reason;
        matchedStop = choice.stop_reason;
      }
    },
    finish() {
      for (const s of think.flush()) (s.thinking ? reasoning : text)(s.text);
      if (!streamsArgs) completeCalls(calls.length);
      close();
      let stop: StopReason = "end_turn";
      let stopSequence: string | null = null;
      if (finishReason === "length") stop = "max_tokens";
      else if (toolUses > 0) stop = "tool_use";
      else if (endTurn) stop = "end_turn";
      else if (typeof matchedStop === "string" && o.stopSequences?.includes(matchedStop)) {
        stop = "stop_sequence";
        stopSequence = matchedStop;
      }
      const usage: { output_tokens: number; input_tokens?: number } = { output_tokens: outputTokens };
      if (inputTokens !== undefined) usage.input_tokens = inputTokens;
      emit({ type: "message_delta", delta: { stop_reason: stop, stop_sequence: stopSequence }, usage });
      emit({ type: "message_stop" });
    },
  };
}
