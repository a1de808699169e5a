// Wire types of the two APIs the proxy speaks. Only the fields the proxy reads or writes are typed;
// everything else in a request is passed over (unknown fields are ignored, never rejected).
// Anthropic: https://docs.anthropic.com/en/api/messages — OpenAI/vLLM: /v1/chat/completions.

// ---------- Anthropic Messages API ----------

export interface CacheControl { type: "ephemeral"; ttl?: string }

export interface TextBlock { type: "text"; text: string; cache_control?: CacheControl }
export interface ImageBlock {
  type: "image";
  source:
    | { type: "base64"; media_type: string; data: string }
    | { type: "url"; url: string };
}
export interface ToolUseBlock { type: "tool_use"; id: string; name: string; input: unknown }
export interface ToolResultBlock {
  type: "tool_result";
  tool_use_id: string;
  content?: string | Array<TextBlock | ImageBlock>;
  is_error?: boolean;
}
export interface ThinkingBlock { type: "thinking"; thinking: string; signature?: string }
export interface RedactedThinkingBlock { type: "redacted_thinking"; data: string }
/** A block type the proxy does not know: kept out of the upstream prompt, never rejected. */
export interface UnknownBlock { type: string; [k: string]: unknown }

export type ContentBlock =
  | TextBlock | ImageBlock | ToolUseBlock | ToolResultBlock | ThinkingBlock | RedactedThinkingBlock;

/** Claude Code sends `role: "system"` entries inside `messages` (beta mid-conversation-system-2026-04-07). */
export interface AnthropicMessage {
  role: "user" | "assistant" | "system";
  content: string | ContentBlock[];
}

export interface AnthropicTool { name: string; description?: string; input_schema?: Record<string, unknown> }

export type AnthropicToolChoice =
  | { type: "auto"; disable_parallel_tool_use?: boolean }
  | { type: "any"; disable_parallel_tool_use?: boolean }
  | { type: "tool"; name: string; disable_parallel_tool_use?: boolean }
  | { type: "none" };

export type ThinkingConfig =
  | { type: "enabled"; budget_tokens?: number }
  | { type: "adaptive" }
  | { type: "disabled" };

export interface AnthropicRequest {
  model: string;
  messages: AnthropicMessage[];
  max_tokens: number;
  system?: string | TextBlock[];
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  stream?: boolean;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
  thinking?: ThinkingConfig;
  metadata?: { user_id?: string };
}

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "pause_turn" | "refusal";

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

export type OutputBlock = TextBlock | ToolUseBlock | ThinkingBlock;

export interface AnthropicResponse {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: OutputBlock[];
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  usage: Usage;
}

export type AnthropicErrorType =
  | "invalid_request_error" | "authentication_error" | "permission_error" | "not_found_error"
  | "request_too_large" | "rate_limit_error" | "api_error" | "overloaded_error";

export interface AnthropicErrorBody { type: "error"; error: { type: AnthropicErrorType; message: string } }

/** Server-sent events of a streamed message, in the order Anthropic emits them. */
export type StreamEvent =
  | { type: "message_start"; message: AnthropicResponse }
  | { type: "content_block_start"; index: number; content_block: OutputBlock }
  | {
      type: "content_block_delta";
      index: number;
      delta:
        | { type: "text_delta"; text: string }
        | { type: "thinking_delta"; thinking: string }
        | { type: "signature_delta"; signature: string }
        | { type: "input_json_delta"; partial_json: string };
    }
  | { type: "content_block_stop"; index: number }
  | {
      type: "message_delta";
      delta: { stop_reason: StopReason | null; stop_sequence: string | null };
      usage: { output_tokens: number; input_tokens?: number };
    }
  | { type: "message_stop" }
  | { type: "ping" }
  | { type: "error"; error: AnthropicErrorBody["error"] };

// ---------- OpenAI Chat Completions (as vLLM serves it) ----------

export type OpenAIContentPart =
  | { type: "text"; text: string }
  | { type: "image_url"; image_url: { url: string } };

export interface OpenAIToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export type OpenAIMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string | OpenAIContentPart[] }
  | { role: "assistant"; content: string | null; tool_calls?: OpenAIToolCall[]; reasoning_content?: string }
  | { role: "tool"; tool_call_id: string; content: string | OpenAIContentPart[] };

export interface OpenAITool {
  type: "function";
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

export type OpenAIToolChoice = "auto" | "none" | "required" | { type: "function"; function: { name: string } };

export interface OpenAIChatRequest {
  model: string;
  messages: OpenAIMessage[];
  tools?: OpenAITool[];
  tool_choice?: OpenAIToolChoice;
  parallel_tool_calls?: boolean;
  max_tokens: number;
  stream: boolean;
  stream_options?: { include_usage: boolean };
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop?: string[];
  /** vLLM: lets the chat template know whether to think (Qwen3). */
  chat_template_kwargs?: Record<string, unknown>;
}

export interface OpenAIUsage { prompt_tokens: number; completion_tokens: number; total_tokens?: number }

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "abort" | null;

export interface OpenAIToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function?: { name?: string; arguments?: string };
}

export interface OpenAIChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: {
      role?: "assistant";
      content?: string | null;
      reasoning_content?: string | null;
      /** newer vLLM names the field `reasoning` */
      reasoning?: string | null;
      tool_calls?: OpenAIToolCallDelta[];
    };
    logprobs?: unknown;
    finish_reason: FinishReason;
    stop_reason?: string | number | null;
  }>;
  usage?: OpenAIUsage | null;
}

export interface OpenAICompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: {
      role: "assistant";
      content: string | null;
      reasoning_content?: string | null;
      reasoning?: string | null;
      tool_calls?: OpenAIToolCall[];
    };
    finish_reason: FinishReason;
    stop_reason?: string | number | null;
  }>;
  usage?: OpenAIUsage;
}
