// Claude Code's history → the conversation as a SWE-agent trajectory: SERA's system prompt, the user's words
// without Claude Code's insertions, assistant turns with their calls reverse-mapped, and tool results printed
// the way SWE-agent prints them. A pure fold over the request: the same history gives the same bytes.
import type { UpstreamPrompt } from "../../dialect.ts";
import type {
  AnthropicMessage, AnthropicRequest, ContentBlock, OpenAIMessage, OpenAIToolCall, ToolResultBlock,
} from "../../types.ts";
import { systemText } from "../../translate/system.ts";
import { reverseCall, type SweCall } from "./calls.ts";
import { FileKnowledge } from "./file-knowledge.ts";
import { renderToolResult, stripSystemReminders } from "./results.ts";
import { SUBMITTED_NOTE, SWE_AGENT_SYSTEM_PROMPT, SWE_AGENT_TOOLS } from "./tools.ts";

const NOTE = SUBMITTED_NOTE.trim();

const UNKNOWN_CALL: SweCall = { name: "", args: {} };

function blocksOf(content: AnthropicMessage["content"]): ContentBlock[] {
  return typeof content === "string" ? [{ type: "text", text: content }] : content;
}

function userText(blocks: readonly ContentBlock[]): string {
  const texts: string[] = [];
  for (const b of blocks) {
    if (b.type !== "text" || typeof b.text !== "string") continue;
    const t = stripSystemReminders(b.text).trim();
    if (t !== "") texts.push(t);
  }
  return texts.join("\n");
}

function toolResultText(b: ToolResultBlock): string {
  if (typeof b.content === "string") return b.content;
  if (!Array.isArray(b.content)) return "";
  // SERA reads text only; an image in a tool result cannot be shown to it.
  return b.content.flatMap((p) => (p.type === "text" && typeof p.text === "string" ? [p.text] : [])).join("\n");
}

/** Thinking goes back inside <think> tags, where SERA's chat format keeps reasoning. */
function assistantContent(blocks: readonly ContentBlock[]): string {
  const thinking: string[] = [];
  const text: string[] = [];
  for (const b of blocks) {
    if (b.type === "thinking" && typeof b.thinking === "string" && b.thinking.trim() !== "") thinking.push(b.thinking.trim());
    else if (b.type === "text" && typeof b.text === "string" && b.text.trim() !== "") text.push(b.text.trim());
  }
  // the note the proxy added when the model submitted is not the model's own words
  if (text.length > 0 && text[text.length - 1].endsWith(NOTE)) {
    const last = text[text.length - 1].slice(0, -NOTE.length).trim();
    if (last === "") text.pop();
    else text[text.length - 1] = last;
  }
  const think = thinking.length > 0 ? `<think>\n${thinking.join("\n")}\n</think>` : "";
  const said = text.join("\n");
  return think !== "" && said !== "" ? `${think}\n\n${said}` : think + said;
}

function objectInput(input: unknown): Record<string, unknown> {
  return input !== null && typeof input === "object" && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
}

export function renderMessages(messages: readonly AnthropicMessage[], cwd: string | undefined): OpenAIMessage[] {
  const out: OpenAIMessage[] = [];
  const calls = new Map<string, SweCall>();
  const kb = new FileKnowledge();
  for (const m of messages) {
    // Mid-conversation system entries (agent lists, task nudges, token counts, the environment block) are
    // Claude Code's own bookkeeping, never part of a SWE-agent trajectory.
    if (m.role === "system") continue;
    const blocks = blocksOf(m.content);
    if (m.role === "assistant") {
      const toolCalls: OpenAIToolCall[] = [];
      for (const b of blocks) {
        if (b.type !== "tool_use") continue;
        const call = reverseCall({ name: b.name, input: objectInput(b.input) }, cwd);
        calls.set(b.id, call);
        toolCalls.push({ id: b.id, type: "function", function: { name: call.name, arguments: JSON.stringify(call.args) } });
      }
      const content = assistantContent(blocks);
      if (toolCalls.length > 0) out.push({ role: "assistant", content: content === "" ? null : content, tool_calls: toolCalls });
      else if (content !== "") out.push({ role: "assistant", content });
      continue;
    }
    // Tool messages must follow the assistant's calls, so they come before the user's own words.
    for (const b of blocks) {
      if (b.type !== "tool_result") continue;
      const call = calls.get(b.tool_use_id) ?? UNKNOWN_CALL;
      const content = renderToolResult(call, { text: toolResultText(b), isError: b.is_error === true }, kb, cwd);
      out.push({ role: "tool", tool_call_id: b.tool_use_id, content });
    }
    const text = userText(blocks);
    if (text !== "") out.push({ role: "user", content: text });
  }
  return out;
}

/**
 * The upstream prompt. A request without tools (Claude Code's side requests: session titles and the like)
 * is a plain completion, not an agent step: its own instructions go through and no tools are offered.
 */
export function renderPrompt(req: AnthropicRequest, cwd: string | undefined): UpstreamPrompt {
  const agentic = Array.isArray(req.tools) && req.tools.length > 0;
  const system = agentic ? SWE_AGENT_SYSTEM_PROMPT : req.system === undefined ? "" : systemText(req.system);
  const messages: OpenAIMessage[] = system === "" ? [] : [{ role: "system", content: system }];
  messages.push(...renderMessages(req.messages, cwd));
  return agentic ? { messages, tools: [...SWE_AGENT_TOOLS] } : { messages };
}
