// Anthropic → OpenAI request translation (native dialect + common fields) on captured Claude Code requests.
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { nativeDialect } from "../../runtime/proxy/dialects/native.ts";
import { toOpenAIRequest, wantsThinking } from "../../runtime/proxy/translate/request.ts";
import { validateRequest } from "../../runtime/proxy/translate/validate.ts";
import { clampMaxTokens, parseContextOverflow, workingDirectoryOf } from "../../runtime/proxy/context.ts";
import { dialectByName } from "../../runtime/proxy/dialects/index.ts";
import type { AnthropicRequest, OpenAIMessage } from "../../runtime/proxy/types.ts";
import { allFixtures, captured } from "../support/claude-code-fixtures.ts";
import { VLLM_FIXTURES_DIR } from "../support/vllm-stub.ts";

const translate = (req: AnthropicRequest, opts: { model?: string; maxModelLen?: number } = {}) =>
  toOpenAIRequest(req, nativeDialect, {}, opts);

describe("captured Claude Code requests", () => {
  it.each(allFixtures)("%s passes validation and translates", (name) => {
    const { body } = captured(name);
    const v = validateRequest(body);
    expect(v).toMatchObject({ ok: true });
    const out = translate(body);
    expect(out.model).toBe("claude-opus-4-8");
    expect(out.messages[0].role).toBe("system");
    expect(out.stream).toBe(body.stream === true);
    // unknown top-level fields stay behind
    expect(out).not.toHaveProperty("context_management");
    expect(out).not.toHaveProperty("output_config");
    expect(out).not.toHaveProperty("metadata");
    expect(out).not.toHaveProperty("thinking");
  });

  it("first turn: one system message without the billing header; tools become functions with their schemas", () => {
    const { body } = captured("first-turn");
    const out = translate(body);
    const sys = out.messages[0] as { content: string };
    expect(sys.content.startsWith("You are a Claude agent, built on Anthropic's Claude Agent SDK.")).toBe(true);
    expect(sys.content).not.toContain("x-anthropic-billing-header");
    expect(sys.content).toContain((body.system as Array<{ text: string }>)[2].text);
    expect(out.tools).toHaveLength(24);
    const bash = out.tools!.find((t) => t.function.name === "Bash")!;
    expect(bash.type).toBe("function");
    expect(bash.function.parameters).toEqual(body.tools!.find((t) => t.name === "Bash")!.input_schema);
    expect(out.tool_choice).toBeUndefined();
    expect(out.stream_options).toEqual({ include_usage: true });
    expect(out.max_tokens).toBe(64000);
  });

  it("first turn: the user's text blocks join into one user message; the role:system entry stays in place", () => {
    const { body } = captured("first-turn");
    const out = translate(body);
    expect(out.messages.map((m) => m.role)).toEqual(["system", "user", "system"]);
    const user = out.messages[1] as { content: string };
    expect(user.content).toContain("<system-reminder>");
    expect(user.content.endsWith("create hello.txt")).toBe(true);
    expect((out.messages[2] as { content: string }).content).toBe(body.messages[1].content);
  });

  it("multi-tool turn: tool_use ↔ tool_calls, tool_result → tool messages in order, is_error visible", () => {
    const { body } = captured("multi-tool-final-turn");
    const out = translate(body);
    const roles = out.messages.map((m) => m.role);
    expect(roles).toEqual([
      "system", "user", "system",
      "assistant", "tool", "assistant", "tool", "assistant", "tool", "assistant", "tool", "assistant", "tool",
      "system", "assistant", "tool", "assistant", "tool",
    ]);
    const a1 = out.messages[3] as Extract<OpenAIMessage, { role: "assistant" }>;
    expect(a1.content).toBe("Step 1: calling Write.");
    expect(a1.tool_calls).toEqual([{
      id: "toolu_stub_1_1795269483003", type: "function",
      function: { name: "Write", arguments: JSON.stringify({ file_path: "/home/dev/project/hello.txt", content: "Hello from the stub model!\n" }) },
    }]);
    const t1 = out.messages[4] as Extract<OpenAIMessage, { role: "tool" }>;
    expect(t1.tool_call_id).toBe("toolu_stub_1_1795269483003");
    expect(t1.content).toMatch(/^File created successfully at: \/home\/dev\/project\/hello.txt/);
    const bashResult = out.messages[10] as Extract<OpenAIMessage, { role: "tool" }>;
    expect(bashResult.content).toBe("ERROR: Exit code 3\nHi from the stub model!\nto-stderr");
    const missing = out.messages[17] as Extract<OpenAIMessage, { role: "tool" }>;
    expect(missing.content).toBe("ERROR: File does not exist. Note: your current working directory is /home/dev/project.");
  });

  it("is deterministic: the same history renders byte-identical upstream bodies", () => {
    const { body } = captured("multi-tool-final-turn");
    const a = JSON.stringify(translate(structuredClone(body)));
    const b = JSON.stringify(translate(structuredClone(body)));
    expect(a).toBe(b);
  });

  it("a later turn's prompt extends the earlier turn's prompt (prefix cache)", () => {
    const first = translate(captured("first-turn").body);
    const next = translate(captured("tool-result-turn").body);
    expect(next.messages.slice(0, first.messages.length)).toEqual(first.messages);
  });

  it("title side request: thinking disabled → not wanted; no tools", () => {
    const { body } = captured("side-request-session-title");
    expect(wantsThinking(body)).toBe(false);
    expect(translate(body).tools).toBeUndefined();
    expect(wantsThinking(captured("first-turn").body)).toBe(true);
  });

  it("takes the working directory from the request", () => {
    expect(workingDirectoryOf(captured("first-turn").body)).toBe("/home/dev/project");
    expect(workingDirectoryOf({ model: "m", max_tokens: 1, messages: [{ role: "system", content: "Working directory: /srv/app\nPlatform: linux" }] })).toBe("/srv/app");
    expect(workingDirectoryOf({ model: "m", max_tokens: 1, messages: [{ role: "user", content: "hi" }] })).toBeUndefined();
  });

  it("finds the first announced working directory wherever the phrase sits (same as a whole-text regex search)", () => {
    const reference = (t: string) => /(?:Primary working directory|Working directory):\s*(\S[^\n]*)/.exec(t)?.[1].trim();
    const pieces = ["Primary working directory: /a b", "Working directory: /srv", "reworking directory: no", "orking directory: x", "Primary ", "W", "w", "\n", " ", "text"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 12 }), (parts) => {
        const text = parts.join("");
        expect(workingDirectoryOf({ model: "m", max_tokens: 1, system: text, messages: [] })).toBe(reference(text));
      }),
    );
  });
});

describe("field mapping", () => {
  const base: AnthropicRequest = { model: "claude-x", max_tokens: 100, messages: [{ role: "user", content: "hi" }] };

  it("maps sampling, stop sequences, model override", () => {
    const out = translate({ ...base, temperature: 0.2, top_p: 0.9, top_k: 20, stop_sequences: ["END"] }, { model: "Qwen/Qwen3-Coder" });
    expect(out).toMatchObject({ model: "Qwen/Qwen3-Coder", temperature: 0.2, top_p: 0.9, top_k: 20, stop: ["END"], max_tokens: 100, stream: false });
    expect(out.stream_options).toBeUndefined();
  });

  it.each([
    [{ type: "auto" }, "auto"],
    [{ type: "any" }, "required"],
    [{ type: "none" }, "none"],
    [{ type: "tool", name: "Bash" }, { type: "function", function: { name: "Bash" } }],
  ] as const)("tool_choice %j → %j", (choice, expected) => {
    const out = translate({ ...base, tools: [{ name: "Bash", input_schema: { type: "object" } }], tool_choice: choice as AnthropicRequest["tool_choice"] });
    expect(out.tool_choice).toEqual(expected);
  });

  it("disable_parallel_tool_use → parallel_tool_calls false", () => {
    const out = translate({ ...base, tools: [{ name: "Bash" }], tool_choice: { type: "auto", disable_parallel_tool_use: true } });
    expect(out.parallel_tool_calls).toBe(false);
    expect(out.tools![0].function.parameters).toEqual({ type: "object", properties: {} });
  });

  it("images → image_url parts (base64 and url); tool_result blocks with images follow as a user message", () => {
    const out = translate({
      ...base,
      messages: [
        { role: "user", content: [{ type: "text", text: "look" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } }] },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Shot", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "screenshot" }, { type: "image", source: { type: "url", url: "https://x/y.png" } }] }] },
      ],
    });
    expect(out.messages[0]).toEqual({ role: "user", content: [{ type: "text", text: "look" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] });
    expect(out.messages[1]).toMatchObject({ role: "assistant", content: null, tool_calls: [{ id: "t1", function: { name: "Shot", arguments: "{}" } }] });
    expect(out.messages[2]).toEqual({ role: "tool", tool_call_id: "t1", content: "screenshot" });
    expect(out.messages[3]).toEqual({ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] });
  });

  it("thinking blocks go back as reasoning_content; unknown block types are skipped, not rejected", () => {
    const req = {
      ...base,
      messages: [
        { role: "user", content: [{ type: "text", text: "q" }, { type: "document", source: {} }] },
        { role: "assistant", content: [{ type: "thinking", thinking: "hmm", signature: "s" }, { type: "text", text: "a" }, { type: "server_tool_use", id: "x" }] },
      ],
    } as unknown as AnthropicRequest;
    expect(validateRequest(req).ok).toBe(true);
    const out = translate(req);
    expect(out.messages).toEqual([{ role: "user", content: "q" }, { role: "assistant", content: "a", reasoning_content: "hmm" }]);
  });
});

describe("max_tokens and context length", () => {
  it("asks for at most the window; the room the prompt leaves is vLLM's to compute", () => {
    expect(clampMaxTokens(64000, undefined)).toBe(64000);
    expect(clampMaxTokens(64000, 32768)).toBe(32768);
    expect(clampMaxTokens(1000, 32768)).toBe(1000);
  });

  it("caps max_tokens at the window in the translated request when the endpoint's window is known", () => {
    const { body } = captured("first-turn");
    expect(translate(body, { maxModelLen: 8192 }).max_tokens).toBe(Math.min(body.max_tokens, 8192));
    expect(translate({ ...body, max_tokens: 1000 }, { maxModelLen: 8192 }).max_tokens).toBe(1000);
    expect(translate(body).max_tokens).toBe(body.max_tokens);
  });

  // vLLM 0.33's own bodies, recorded from its renderer and sampling-params checks (tests/vllm/record-fixtures.py)
  const recorded = JSON.parse(readFileSync(join(VLLM_FIXTURES_DIR, "errors.json"), "utf8")) as Array<{ id: string; maxModelLen: number; maxTokens: number; status: number; body: string }>;
  const body = (id: string) => recorded.find((e) => e.id === id)!;
  const messageOf = (id: string) => (JSON.parse(body(id).body) as { error: { message: string } }).error.message;

  it("parses vLLM 0.33's recorded length errors", () => {
    const w = body("max-tokens-above-window").maxModelLen;
    expect(parseContextOverflow(messageOf("max-tokens-above-window"))).toEqual({ kind: "max_tokens", maxModelLen: w });
    expect(parseContextOverflow(messageOf("prompt-above-window"))).toEqual({ kind: "prompt", maxModelLen: w, promptTokens: w + 1, atLeast: true });
    expect(parseContextOverflow(messageOf("prompt-fills-window"))).toEqual({ kind: "prompt" });
    expect(parseContextOverflow(messageOf("unknown-model"))).toBeUndefined();
    expect(recorded.filter((e) => e.id !== "unknown-model").map((e) => e.status)).toEqual([400, 400, 400]);
  });

  it.each([
    ["This model's maximum context length is 4096 tokens. However, your prompt contains 90000 characters (more than 80000 characters, which is the upper bound for 4096 input tokens). Please reduce the length of the input prompt. (parameter=input_text, value=90000)", { kind: "prompt", maxModelLen: 4096, promptTokens: 4097, atLeast: true }],
    ["'max_tokens' or 'max_completion_tokens' is too large: 64000. This model's maximum context length is 32768 tokens and your request has 20533 input tokens (64000 > 32768 - 20533).", { kind: "max_tokens", maxModelLen: 32768, promptTokens: 20533 }],
    ["This model's maximum context length is 32768 tokens. However, your request has 40000 input tokens. Please reduce the length of the input messages.", { kind: "prompt", maxModelLen: 32768, promptTokens: 40000 }],
    ["This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (3000 in the messages, 2000 in the completion). Please reduce the length of the messages or completion.", { kind: "max_tokens", maxModelLen: 4096, promptTokens: 3000 }],
    ["max_tokens must be at least 1, got 5.", undefined],
    ["something else", undefined],
  ])("parses vLLM's context error, other wordings %#", (msg, expected) => {
    expect(parseContextOverflow(msg)).toEqual(expected);
  });
});

describe("dialect registry", () => {
  it("knows native and swe-agent and names the choices for an unknown name", () => {
    expect(dialectByName("native").name).toBe("native");
    expect(dialectByName("swe-agent").name).toBe("swe-agent");
    expect(() => dialectByName("nope")).toThrow(/unknown dialect "nope": expected one of native, swe-agent/);
    expect(() => dialectByName("__proto__")).toThrow(/unknown dialect/);
  });
});
