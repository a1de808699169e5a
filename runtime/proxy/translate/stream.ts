// OpenAI chat chunks → Anthropic stream events, one request at a time (all state lives in the returned object).
// One upstream chunk produces its deltas at once: nothing is held back except a possible partial <think> tag and,
// for dialects that do not stream tool arguments, a tool call until its arguments are complete.
import type { Dialect, DialectContext, ToolCallOutcome } from "../dialect.ts";
import type { FinishReason, OpenAIChunk, OpenAIToolCallDelta, OutputBlock, StopReason, StreamEvent } from "../types.ts";
import { createThinkSplitter, type ThinkSegment } from "./think.ts";

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
  return new Translator(o);
}

/** A class, not closures made per request: its methods exist once per process and V8 optimizes them once. The
 *  per-request closures this replaced were optimized again and again, a new function each request (trace-opt:
 *  14–23 times in 9 s; V8's compiler threads 7 % of the proxy's CPU; PERFORMANCE.md, fifth pass). */
class Translator implements StreamTranslator {
  private readonly o: TranslatorOptions;
  private readonly emit: (e: StreamEvent) => void;
  private readonly dialect: Dialect;
  private readonly streamsArgs: boolean;
  private readonly think = createThinkSplitter();
  private readonly calls: PendingCall[] = [];
  private open: Open = null;
  private index = -1;
  private finishReason: FinishReason = null;
  private matchedStop: string | number | null | undefined = null;
  private inputTokens: number | undefined = undefined;
  private outputTokens = 0;
  private toolUses = 0;
  private endTurn = false;

  constructor(o: TranslatorOptions) {
    this.o = o;
    this.emit = o.emit;
    this.dialect = o.dialect;
    this.streamsArgs = o.dialect.streamsToolArguments;
  }

  get finished(): boolean { return this.finishReason !== null; }

  private close(): void {
    if (this.open !== null) this.emit({ type: "content_block_stop", index: this.index });
    this.open = null;
  }
  private openBlock(kind: Exclude<Open, null>, block: OutputBlock): void {
    this.close();
    this.index++;
    this.open = kind;
    this.emit({ type: "content_block_start", index: this.index, content_block: block });
  }
  private text(t: string): void {
    if (this.open !== "text") this.openBlock("text", { type: "text", text: "" });
    this.emit({ type: "content_block_delta", index: this.index, delta: { type: "text_delta", text: t } });
  }
  private reasoning(t: string): void {
    if (!this.o.thinking) return;
    if (this.open !== "thinking") this.openBlock("thinking", { type: "thinking", thinking: "", signature: "" });
    this.emit({ type: "content_block_delta", index: this.index, delta: { type: "thinking_delta", thinking: t } });
  }
  private segments(segs: ThinkSegment[]): void {
    for (const s of segs) {
      if (s.thinking) this.reasoning(s.text);
      else this.text(s.text);
    }
  }
  private content(t: string): void {
    // the usual chunk: plain text, no tag can start or continue in it (think.ts), so no segment array
    if (this.think.plain(t)) this.text(t);
    else this.segments(this.think.push(t));
  }
  private toolUse(id: string, name: string, json: string): void {
    this.openBlock("tool", { type: "tool_use", id, name, input: {} });
    this.toolUses++;
    if (json !== "") this.emit({ type: "content_block_delta", index: this.index, delta: { type: "input_json_delta", partial_json: json } });
  }
  private outcome(r: ToolCallOutcome): void {
    if (r.kind === "end_turn") this.endTurn = true;
    else if (r.kind === "text") this.text(r.text);
    else this.toolUse(r.id, r.name, JSON.stringify(r.input ?? {}));
  }
  /** non-streaming dialects: hand every buffered call with index < upTo to the dialect */
  private completeCalls(upTo: number): void {
    const calls = this.calls;
    for (let i = 0; i < upTo && i < calls.length; i++) {
      const c = calls[i];
      if (!c || c.block === -2) continue;
      c.block = -2;
      this.outcome(this.dialect.fromToolCall({ id: c.id, name: c.name, arguments: c.args }, this.o.ctx));
    }
  }
  private toolDelta(d: OpenAIToolCallDelta): void {
    const i = d.index ?? 0;
    let c = this.calls[i];
    if (!c) {
      if (!this.streamsArgs) this.completeCalls(i);
      c = { id: d.id ?? `toolu_${this.o.messageId}_${i}`, name: "", args: "", block: -1 };
      this.calls[i] = c;
    }
    if (d.function?.name) c.name += d.function.name;
    const frag = d.function?.arguments ?? "";
    if (!this.streamsArgs) { c.args += frag; return; }
    if (c.block === -1) {
      if (c.name === "") { c.args += frag; return; } // name not known yet: hold arguments back
      this.toolUse(c.id, c.name, c.args + frag);
      c.block = this.index;
      c.args = "";
    } else if (frag !== "" && c.block === this.index && this.open === "tool") {
      this.emit({ type: "content_block_delta", index: this.index, delta: { type: "input_json_delta", partial_json: frag } });
    }
  }

  start(tokens?: number): void {
    this.inputTokens = tokens;
    const o = this.o;
    this.emit({
      type: "message_start",
      message: {
        id: o.messageId, type: "message", role: "assistant", model: o.model, content: [],
        stop_reason: null, stop_sequence: null, usage: { input_tokens: tokens ?? 0, output_tokens: 0 },
      },
    });
  }

  push(chunk: OpenAIChunk): void {
    if (chunk.usage) {
      this.inputTokens = chunk.usage.prompt_tokens;
      this.outputTokens = chunk.usage.completion_tokens;
    }
    const choice = chunk.choices?.[0];
    if (!choice) return;
    const d = choice.delta;
    if (d) {
      const r = d.reasoning_content ?? d.reasoning;
      if (r) this.reasoning(r);
      if (d.content) this.content(d.content);
      if (d.tool_calls) for (const t of d.tool_calls) this.toolDelta(t);
    }
    if (choice.finish_reason) {
      this.finishReason = choice.finish_reason;
      this.matchedStop = choice.stop_reason;
    }
  }

  finish(): void {
    this.segments(this.think.flush());
    if (!this.streamsArgs) this.completeCalls(this.calls.length);
    this.close();
    let stop: StopReason = "end_turn";
    let stopSequence: string | null = null;
    const matchedStop = this.matchedStop;
    if (this.finishReason === "length") stop = "max_tokens";
    else if (this.toolUses > 0) stop = "tool_use";
    else if (this.endTurn) stop = "end_turn";
    else if (typeof matchedStop === "string" && this.o.stopSequences?.includes(matchedStop)) {
      stop = "stop_sequence";
      stopSequence = matchedStop;
    }
    const usage: { output_tokens: number; input_tokens?: number } = { output_tokens: this.outputTokens };
    if (this.inputTokens !== undefined) usage.input_tokens = this.inputTokens;
    this.emit({ type: "message_delta", delta: { stop_reason: stop, stop_sequence: stopSequence }, usage });
    this.emit({ type: "message_stop" });
  }
}
