// OpenAI chunk → Anthropic event translation, the <think> splitter and the upstream SSE reader, as pure units.
import fc from "fast-check";
import type { Dialect } from "../../runtime/proxy/dialect.ts";
import { parseChunk } from "../../runtime/proxy/translate/chunk.ts";
import { nativeDialect } from "../../runtime/proxy/dialects/native.ts";
import { sseData, sseFrame } from "../../runtime/proxy/sse.ts";
import { accumulate, completionToMessage } from "../../runtime/proxy/translate/response.ts";
import { createStreamTranslator } from "../../runtime/proxy/translate/stream.ts";
import { createThinkSplitter } from "../../runtime/proxy/translate/think.ts";
import type { OpenAIChunk, StreamEvent } from "../../runtime/proxy/types.ts";

type Delta = OpenAIChunk["choices"][0]["delta"];
const chunk = (delta: Delta, finish: OpenAIChunk["choices"][0]["finish_reason"] = null, extra: Partial<OpenAIChunk["choices"][0]> = {}): OpenAIChunk => ({
  id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta, finish_reason: finish, ...extra }],
});
const usage = (p: number, c: number): OpenAIChunk => ({ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [], usage: { prompt_tokens: p, completion_tokens: c } });

function run(chunks: OpenAIChunk[], o: { thinking?: boolean; dialect?: Dialect; stop?: string[] } = {}): StreamEvent[] {
  const events: StreamEvent[] = [];
  const t = createStreamTranslator({ dialect: o.dialect ?? nativeDialect, ctx: {}, thinking: o.thinking ?? false, model: "claude-x", messageId: "msg_1", stopSequences: o.stop, emit: (e) => events.push(e) });
  t.start();
  for (const c of chunks) t.push(c);
  t.finish();
  return events;
}

describe("think splitter", () => {
  const split = (parts: string[]) => {
    const s = createThinkSplitter();
    const segs = [...parts.flatMap((p) => s.push(p)), ...s.flush()];
    return {
      thinking: segs.filter((x) => x.thinking).map((x) => x.text).join(""),
      text: segs.filter((x) => !x.thinking).map((x) => x.text).join(""),
    };
  };

  it.each([
    [["<think>abc</think>hello"]],
    [["<thi", "nk>abc</thi", "nk>hello"]],
    [["<", "t", "h", "i", "n", "k", ">", "a", "b", "c", "<", "/", "t", "h", "i", "n", "k", ">", "h", "e", "l", "l", "o"]],
    [["<think>\nabc", "</think>\n\nhello"]],
    [["<think>ab", "c</", "think>", "hel", "lo"]],
  ])("splits %j into thinking + text", (parts) => {
    expect(split(parts)).toEqual({ thinking: "abc", text: "hello" });
  });

  it("keeps a lone '<' and text that only looks like a tag prefix", () => {
    expect(split(["a < b", " <th", "ing>"])).toEqual({ thinking: "", text: "a < b <thing>" });
    expect(split(["x <thi"])).toEqual({ thinking: "", text: "x <thi" });
  });

  it("every possible cut of the stream gives the same split", () => {
    const s = "pre<think>\nreason 1 < 2\n\nstep\n</think>\n\npost <b>";
    for (let i = 1; i < s.length; i++) {
      for (let j = i + 1; j < s.length; j++) {
        expect(split([s.slice(0, i), s.slice(i, j), s.slice(j)])).toEqual({ thinking: "reason 1 < 2\n\nstep", text: "prepost <b>" });
      }
    }
  });
});

describe("stream translator", () => {
  it("text: message_start, one text_delta per chunk, stop, usage", () => {
    const ev = run([chunk({ role: "assistant", content: "" }), chunk({ content: "Hel" }), chunk({ content: "lo" }), chunk({ content: "" }, "stop"), usage(12, 3)]);
    expect(ev.map((e) => e.type)).toEqual(["message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
    expect(ev[1]).toEqual({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
    expect(ev[5]).toEqual({ type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 3, input_tokens: 12 } });
    expect(accumulate(ev).content).toEqual([{ type: "text", text: "Hello" }]);
  });

  it("reasoning_content / reasoning → thinking block when asked, dropped otherwise", () => {
    const chunks = [chunk({ reasoning_content: "let me" }), chunk({ reasoning: " think" }), chunk({ content: "Answer" }), chunk({}, "stop")];
    expect(accumulate(run(chunks, { thinking: true })).content).toEqual([{ type: "thinking", thinking: "let me think", signature: "" }, { type: "text", text: "Answer" }]);
    expect(accumulate(run(chunks)).content).toEqual([{ type: "text", text: "Answer" }]);
  });

  it("inline <think> split across chunks → thinking block", () => {
    const chunks = [chunk({ content: "<thi" }), chunk({ content: "nk>plan" }), chunk({ content: " more</th" }), chunk({ content: "ink>\n\nDone." }), chunk({}, "stop")];
    expect(accumulate(run(chunks, { thinking: true })).content).toEqual([{ type: "thinking", thinking: "plan more", signature: "" }, { type: "text", text: "Done." }]);
    expect(accumulate(run(chunks)).content).toEqual([{ type: "text", text: "Done." }]);
  });

  it("plain chunks (the splitter's plain() lane) and tagged ones give the same message, cut anywhere", () => {
    // text before and after the tags takes the lane; the newline after </think> (trimmed) and held-back tag
    // prefixes must not: every 3-way cut gives the same two blocks
    const s = "pre<think>\nreason 1 < 2\n</think>\n\npost <b> x";
    for (let i = 1; i < s.length; i++) {
      for (let j = i + 1; j < s.length; j++) {
        const chunks = [s.slice(0, i), s.slice(i, j), s.slice(j)].map((content) => chunk({ content }));
        expect(accumulate(run([...chunks, chunk({}, "stop")], { thinking: true })).content).toEqual([
          { type: "text", text: "pre" }, { type: "thinking", thinking: "reason 1 < 2", signature: "" }, { type: "text", text: "post <b> x" },
        ]);
      }
    }
  });

  it("native tool calls stream input_json_delta fragments; parallel calls → separate blocks", () => {
    const chunks = [
      chunk({ content: "Doing it." }),
      chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "Write" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"file_path": "/x", ' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"content": "hi"}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "Read", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: '{"file_path": "/y"}' } }] }),
      chunk({}, "tool_calls"),
    ];
    const ev = run(chunks);
    const json = ev.filter((e) => e.type === "content_block_delta" && e.delta.type === "input_json_delta");
    expect(json).toHaveLength(3);
    const msg = accumulate(ev);
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.content).toEqual([
      { type: "text", text: "Doing it." },
      { type: "tool_use", id: "call_a", name: "Write", input: { file_path: "/x", content: "hi" } },
      { type: "tool_use", id: "call_b", name: "Read", input: { file_path: "/y" } },
    ]);
  });

  it("a dialect that does not stream arguments gets each completed call, in order", () => {
    const seen: string[] = [];
    const buffered: Dialect = {
      name: "swe-agent",
      streamsToolArguments: false,
      toUpstream: () => ({ messages: [] }),
      fromToolCall: (call) => {
        seen.push(`${call.name}:${call.arguments}`);
        if (call.name === "submit") return { kind: "end_turn" };
        if (call.name === "odd") return { kind: "text", text: "(odd)" };
        return { kind: "tool_use", id: call.id, name: "Bash", input: JSON.parse(call.arguments) };
      },
    };
    const ev = run([
      chunk({ tool_calls: [{ index: 0, id: "c0", function: { name: "bash", arguments: '{"command": ' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"ls"}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: "c1", function: { name: "odd", arguments: "{}" } }] }),
      chunk({}, "tool_calls"),
    ], { dialect: buffered });
    expect(seen).toEqual(['bash:{"command": "ls"}', "odd:{}"]);
    // the tool_use block is emitted complete: start + one delta with the whole input
    const msg = accumulate(ev);
    expect(msg.content).toEqual([{ type: "tool_use", id: "c0", name: "Bash", input: { command: "ls" } }, { type: "text", text: "(odd)" }]);
    expect(msg.stop_reason).toBe("tool_use");

    const submit = accumulate(run([chunk({ tool_calls: [{ index: 0, id: "s", function: { name: "submit", arguments: "{}" } }] }), chunk({}, "tool_calls")], { dialect: buffered }));
    expect(submit.content).toEqual([]);
    expect(submit.stop_reason).toBe("end_turn");
  });

  it.each([
    ["stop", undefined, "end_turn", null],
    ["length", undefined, "max_tokens", null],
    ["stop", "END", "stop_sequence", "END"],
    ["stop", 151645, "end_turn", null],
  ] as const)("finish_reason %s (stop_reason %s) → %s", (finish, matched, stop, seq) => {
    const msg = accumulate(run([chunk({ content: "x" }), chunk({}, finish, { stop_reason: matched })], { stop: ["END"] }));
    expect(msg.stop_reason).toBe(stop);
    expect(msg.stop_sequence).toBe(seq);
  });

  it("non-streamed completions reuse the same translation", () => {
    const msg = completionToMessage({
      id: "x", object: "chat.completion", created: 0, model: "m",
      choices: [{ index: 0, finish_reason: "tool_calls", message: { role: "assistant", content: "<think>why</think>ok", tool_calls: [{ id: "t", type: "function", function: { name: "Bash", arguments: '{"command": "ls"}' } }] } }],
      usage: { prompt_tokens: 7, completion_tokens: 5 },
    }, { dialect: nativeDialect, ctx: {}, thinking: true, model: "claude-x", messageId: "msg_2" });
    expect(msg).toEqual({
      id: "msg_2", type: "message", role: "assistant", model: "claude-x",
      content: [{ type: "thinking", thinking: "why", signature: "" }, { type: "text", text: "ok" }, { type: "tool_use", id: "t", name: "Bash", input: { command: "ls" } }],
      stop_reason: "tool_use", stop_sequence: null, usage: { input_tokens: 7, output_tokens: 5 },
    });
  });
});

describe("SSE", () => {
  async function collect(parts: string[]): Promise<string[]> {
    async function* src() { for (const p of parts) yield new TextEncoder().encode(p); }
    const out: string[] = [];
    for await (const batch of sseData(src())) out.push(...batch);
    return out;
  }

  it("reads data payloads split anywhere, CRLF, comments and multi-line data", async () => {
    const raw = 'data: {"a":1}\n\n: keep-alive\n\ndata: {"b":\r\ndata: 2}\r\n\r\nevent: x\ndata:[DONE]\n\n';
    const expected = ['{"a":1}', '{"b":\n2}', "[DONE]"];
    for (let i = 0; i <= raw.length; i++) expect(await collect([raw.slice(0, i), raw.slice(i)])).toEqual(expected);
  });

  it("frames events as event + data lines", () => {
    expect(sseFrame({ type: "ping" })).toBe('event: ping\ndata: {"type":"ping"}\n\n');
  });

  it.each([
    { type: "text_delta", text: 'he said "hi"\n\u2028 \\ é 🙂' },
    { type: "thinking_delta", thinking: "a\tb" },
    { type: "input_json_delta", partial_json: '{"k": "v\\n' },
  ] as const)("the fast delta frame equals the generic one (%j)", (delta) => {
    const e: StreamEvent = { type: "content_block_delta", index: 3, delta };
    expect(sseFrame(e)).toBe(`event: content_block_delta\ndata: ${JSON.stringify(e)}\n\n`);
  });
});

describe("upstream chunk parsing", () => {
  const vllm = (delta: object, finish: string | null = null) =>
    JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });

  it("content deltas (fast path) give the content exactly, whatever it holds", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (text) => {
      expect(parseChunk(vllm({ content: text })).choices[0].delta.content).toBe(text);
    }), { numRuns: 2000 });
    expect(parseChunk(vllm({ content: '"},"logprobs":null,"finish_reason":null}]}' })).choices[0].delta.content).toBe('"},"logprobs":null,"finish_reason":null}]}');
  });

  it("everything else is parsed in full", () => {
    const two = vllm({ content: "a", reasoning_content: "b" });
    expect(parseChunk(two)).toEqual(JSON.parse(two));
    const fin = vllm({ content: "" }, "stop");
    expect(parseChunk(fin)).toEqual(JSON.parse(fin));
    const tool = vllm({ tool_calls: [{ index: 0, function: { arguments: '{"a": 1}' } }] });
    expect(parseChunk(tool)).toEqual(JSON.parse(tool));
    const err = JSON.stringify({ error: { message: "x", type: "InternalServerError", param: null, code: 500 } });
    expect(parseChunk(err)).toEqual(JSON.parse(err));
    expect(() => parseChunk("{not json")).toThrow(SyntaxError);
  });
});
