// Parsing one upstream SSE data payload. Nearly every chunk of a vLLM stream carries one delta field: a content,
// reasoning or tool-argument fragment. Those take a fast path that parses just that string (vLLM serializes its
// pydantic models in a fixed field order, serving_chat.py; 0.33 adds token_ids and kv_transfer_params, as recorded
// in tests/fixtures/vllm). Anything else — several fields, a finish_reason, usage, errors, other servers — gets a
// full JSON.parse. The fast path returns the fields the translator reads; tests/runtime/proxy-chunk.test.ts checks
// they equal JSON.parse's.
import type { OpenAIChunk } from "../types.ts";

type OpenAIDelta = OpenAIChunk["choices"][number]["delta"];

/** a chunk, or vLLM's in-stream error (serving_chat create_streaming_error_response) */
export type UpstreamChunk = OpenAIChunk & { error?: { message?: string } | string; message?: string };

const CHOICE = '"choices":[{"index":0,"delta":{';
/** what follows the delta object in a chunk without a finish_reason: vLLM 0.33, then earlier versions */
const TAILS = ['},"logprobs":null,"finish_reason":null,"token_ids":null}],"kv_transfer_params":null}', '},"logprobs":null,"finish_reason":null}]}'];
const ARGS_HEAD = '"tool_calls":[{"index":';
const ARGS_MID = ',"function":{"arguments":';
const ARGS_END = "}}]";

/** the string a JSON string literal denotes, or undefined when `lit` is not exactly one string literal */
function stringLiteral(lit: string): string | undefined {
  if (lit.length < 2 || lit.charCodeAt(0) !== 34 || lit.charCodeAt(lit.length - 1) !== 34) return undefined;
  try {
    const v: unknown = JSON.parse(lit);
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined; // e.g. `"a","b":"c"`: more fields inside delta
  }
}

/** the delta of a one-field chunk (its JSON text between `delta":{` and the tail), or undefined; `onlyContent`
 *  for the pre-0.33 tail, whose other shapes are parsed in full as before */
function oneFieldDelta(body: string, onlyContent: boolean): OpenAIDelta | undefined {
  if (body.startsWith('"content":"')) {
    const content = stringLiteral(body.slice(10));
    return content === undefined ? undefined : { content };
  }
  if (onlyContent) return undefined;
  if (body.startsWith('"reasoning":"')) {
    const reasoning = stringLiteral(body.slice(12));
    return reasoning === undefined ? undefined : { reasoning };
  }
  // a tool-argument fragment: {"tool_calls":[{"index":N,"function":{"arguments":"…"}}]}, with "content":null first in some parsers
  const lead = body.startsWith('"content":null,') ? 15 : 0;
  if (!body.startsWith(ARGS_HEAD, lead) || !body.endsWith(ARGS_END)) return undefined;
  const n0 = lead + ARGS_HEAD.length;
  const mid = body.indexOf(ARGS_MID, n0);
  if (mid < 0 || mid === n0 || mid - n0 > 4) return undefined;
  const digits = body.slice(n0, mid);
  if (!/^(0|[1-9]\d*)$/.test(digits)) return undefined;
  const args = stringLiteral(body.slice(mid + ARGS_MID.length, body.length - ARGS_END.length));
  if (args === undefined) return undefined;
  const call = { index: Number(digits), function: { arguments: args } };
  return lead ? { content: null, tool_calls: [call] } : { tool_calls: [call] };
}

export function parseChunk(data: string): UpstreamChunk {
  const at = data.indexOf(CHOICE);
  if (at > 0) {
    const tail = data.endsWith(TAILS[0]) ? TAILS[0] : data.endsWith(TAILS[1]) ? TAILS[1] : undefined;
    if (tail !== undefined) {
      const delta = oneFieldDelta(data.slice(at + CHOICE.length, data.length - tail.length), tail === TAILS[1]);
      if (delta !== undefined) {
        return { id: "", object: "chat.completion.chunk", created: 0, model: "", choices: [{ index: 0, delta, finish_reason: null }] };
      }
    }
  }
  return JSON.parse(data) as UpstreamChunk;
}
