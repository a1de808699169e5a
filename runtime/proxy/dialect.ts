// The seam between the proxy core and a tool dialect. The core owns HTTP, streaming, thinking, usage and errors;
// a dialect owns only (1) how Claude Code's history and tools are shown to the model and (2) what a completed
// model tool call becomes for Claude Code. Two implementations: dialects/native.ts, dialects/swe-agent.ts.
import type { AnthropicRequest, OpenAIMessage, OpenAITool, OpenAIToolChoice } from "./types.ts";

/** Facts about the request that a dialect may need, derived by the core (never per-process state). */
export interface DialectContext {
  /** Claude Code's working directory: the proxy's `cwd` option, else "Primary working directory: …" /
   *  "Working directory: …" found in the system prompt or messages (see workingDirectoryOf in context.ts). */
  cwd?: string;
}

/** What the dialect contributes to the upstream chat request (the core adds model, max_tokens, sampling, stream). */
export interface UpstreamPrompt {
  messages: OpenAIMessage[];
  tools?: OpenAITool[];
  tool_choice?: OpenAIToolChoice;
}

/** One upstream tool call with its complete argument string (as the model produced it; may be invalid JSON). */
export interface CompletedToolCall { id: string; name: string; arguments: string }

export type ToolCallOutcome =
  | { kind: "tool_use"; id: string; name: string; input: unknown }
  /** e.g. swe-agent `submit`: no block; the message ends with stop_reason end_turn */
  | { kind: "end_turn" }
  /** e.g. a call the dialect cannot map: shown to the user as text */
  | { kind: "text"; text: string };

export interface Dialect {
  readonly name: "native" | "swe-agent";
  /** Pure and deterministic: the same request renders to a byte-identical prompt (vLLM prefix cache hits,
   *  concurrent sessions never mix). Must not throw on unknown block types: skip them. */
  toUpstream(req: AnthropicRequest, ctx: DialectContext): UpstreamPrompt;
  /** true (native): the core streams argument fragments as input_json_delta while they arrive and
   *  fromToolCall is only used for non-streamed responses. false (swe-agent): the core buffers each call and
   *  emits what fromToolCall returns once the call's arguments are complete. */
  readonly streamsToolArguments: boolean;
  /** A completed upstream tool call → what Claude Code sees. Pure. */
  fromToolCall(call: CompletedToolCall, ctx: DialectContext): ToolCallOutcome;
}
