// The native dialect (Qwen3-Coder and other tool-calling models): Claude Code's own tools go upstream as
// OpenAI functions and tool_use/tool_result history is converted both ways.
import type { CompletedToolCall, Dialect, ToolCallOutcome, UpstreamPrompt } from "../dialect.ts";
import type {
  AnthropicMessage, AnthropicRequest, AnthropicToolChoice, ContentBlock, ImageBlock, OpenAIContentPart,
  OpenAIMessage, OpenAITool, OpenAIToolCall, OpenAIToolChoice, TextBlock, ToolResultBlock,
} from "../types.ts";
import { systemText } from "../translate/system.ts";

const EMPTY_SCHEMA: Record<string, unknown> = { type: "object", properties: {} };

export function imageUrl(b: ImageBlock): string {
  return b.source.type === "url" ? b.source.url : `data:${b.source.media_type};base64,${b.source.data}`;
}

function textAndImages(blocks: ReadonlyArray<ContentBlock | TextBlock | ImageBlock>): string | OpenAIContentPart[] {
  let hasImage = false;
  const parts: OpenAIContentPart[] = [];
  for (const b of blocks) {
    if (b.type === "text") parts.push({ type: "text", text: b.text });
    else if (b.type === "image") { hasImage = true; parts.push({ type: "image_url", image_url: { url: imageUrl(b) } }); }
  }
  if (hasImage) return parts;
  return parts.map((p) => (p as { text: string }).text).join("\n");
}

/** is_error stays visible to the model: the text says the tool failed. */
function toolResultMessages(b: ToolResultBlock): OpenAIMessage[] {
  const prefix = b.is_error ? "ERROR: " : "";
  if (typeof b.content === "string" || b.content === undefined) {
    return [{ role: "tool", tool_call_id: b.tool_use_id, content: prefix + (b.content ?? "") }];
  }
  const content = textAndImages(b.content);
  if (typeof content === "string") return [{ role: "tool", tool_call_id: b.tool_use_id, content: prefix + content }];
  // Chat templates render tool messages as text only: images of a tool result follow as a user message.
  const text = content.filter((p) => p.type === "text").map((p) => (p as { text: string }).text).join("\n");
  return [
    { role: "tool", tool_call_id: b.tool_use_id, content: prefix + text },
    { role: "user", content: content.filter((p) => p.type === "image_url") },
  ];
}

function userMessages(content: ContentBlock[]): OpenAIMessage[] {
  const out: OpenAIMessage[] = [];
  const rest: ContentBlock[] = [];
  // OpenAI wants tool messages right after the assistant's tool_calls, so they go before the user's own text.
  for (const b of content) {
    if (b.type === "tool_result") out.push(...toolResultMessages(b));
    else if (b.type === "text" || b.type === "image") rest.push(b);
  }
  if (rest.length > 0) out.push({ role: "user", content: textAndImages(rest) });
  return out;
}

function assistantMessage(content: ContentBlock[]): OpenAIMessage {
  const text: string[] = [];
  const reasoning: string[] = [];
  const calls: OpenAIToolCall[] = [];
  for (const b of content) {
    if (b.type === "text") text.push(b.text);
    else if (b.type === "thinking") reasoning.push(b.thinking);
    else if (b.type === "tool_use") {
      calls.push({ id: b.id, type: "function", function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
    }
  }
  const msg: OpenAIMessage = { role: "assistant", content: text.length > 0 ? text.join("\n") : calls.length > 0 ? null : "" };
  if (calls.length > 0) msg.tool_calls = calls;
  if (reasoning.length > 0) msg.reasoning_content = reasoning.join("\n");
  return msg;
}

export function toOpenAIMessages(messages: readonly AnthropicMessage[]): OpenAIMessage[] {
  const out: OpenAIMessage[] = [];
  for (const m of messages) {
    if (m.role === "system") {
      const text = typeof m.content === "string" ? m.content : systemText(m.content);
      out.push({ role: "system", content: text });
    } else if (m.role === "user") {
      if (typeof m.content === "string") out.push({ role: "user", content: m.content });
      else out.push(...userMessages(m.content));
    } else if (typeof m.content === "string") {
      out.push({ role: "assistant", content: m.content });
    } else {
      out.push(assistantMessage(m.content));
    }
  }
  return out;
}

export function toOpenAITools(req: AnthropicRequest): OpenAITool[] | undefined {
  if (!req.tools || req.tools.length === 0) return undefined;
  return req.tools.map((t) => ({
    type: "function",
    function: { name: t.name, ...(t.description !== undefined ? { description: t.description } : {}), parameters: t.input_schema ?? EMPTY_SCHEMA },
  }));
}

export function toOpenAIToolChoice(choice: AnthropicToolChoice | undefined): OpenAIToolChoice | undefined {
  switch (choice?.type) {
    case "auto": return "auto";
    case "any": return "required";
    case "none": return "none";
    case "tool": return { type: "function", function: { name: choice.name } };
    default: return undefined;
  }
}

export const nativeDialect: Dialect = {
  name: "native",
  streamsToolArguments: true,
  toUpstream(req: AnthropicRequest): UpstreamPrompt {
    const messages: OpenAIMessage[] = [];
    const system = req.system === undefined ? "" : systemText(req.system);
    if (system !== "") messages.push({ role: "system", content: system });
    for (const m of toOpenAIMessages(req.messages)) messages.push(m);
    const prompt: UpstreamPrompt = { messages };
    const tools = toOpenAITools(req);
    if (tools) {
      prompt.tools = tools;
      const choice = toOpenAIToolChoice(req.tool_choice);
      if (choice !== undefined) prompt.tool_choice = choice;
    }
    return prompt;
  },
  fromToolCall(call: CompletedToolCall): ToolCallOutcome {
    let input: unknown = {};
    try {
      input = call.arguments.trim() === "" ? {} : JSON.parse(call.arguments);
    } catch {
      input = {};
    }
    return { kind: "tool_use", id: call.id, name: call.name, input };
  },
};
