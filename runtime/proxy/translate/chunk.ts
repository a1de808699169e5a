// Parsing one upstream SSE data payload. Nearly every chunk of a vLLM stream is a content-only delta; those take a
// fast path that parses just the content string (vLLM serializes its pydantic models in a fixed field order,
// serving_chat.py). Anything else — reasoning, tool calls, usage, errors, other servers — gets a full JSON.parse.
import type { OpenAIChunk } from "../types.ts";

/** a chunk, or vLLM's in-stream error (serving_chat create_streaming_error_response) */
export type UpstreamChunk = OpenAIChunk & { error?: { message?: string } | string; message?: string };

const HEAD = '"choices":[{"index":0,"delta":{"content":';
const TAIL = '},"logprobs":null,"finish_reason":null}]}';

export function parseChunk(data: string): UpstreamChunk {
  const at = data.indexOf(HEAD);
  if (at > 0 && data.endsWith(TAIL)) {
    const literal = data.slice(at + HEAD.length, data.length - TAIL.length);
    if (literal.length >= 2 && literal.charCodeAt(0) === 34 && literal.charCodeAt(literal.length - 1) === 34) {
      try {
        const content: unknown = JSON.parse(literal);
        if (typeof content === "string") {
          return { id: "", object: "chat.completion.chunk", created: 0, model: "", choices: [{ index: 0, delta: { content }, finish_reason: null }] };
        }
      } catch {
        // not a lone string literal (e.g. more fields inside delta): full parse below
      }
    }
  }
  return JSON.parse(data) as UpstreamChunk;
}
