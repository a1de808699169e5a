import { stripReasoning } from "../../mcp/vlm/reasoning.ts";

describe("stripReasoning", () => {
  it.each([
    ["parser on: content is the answer", "The button is blue.", "The button is blue."],
    ["leading <think>…</think>", "<think>\nlooking…\n</think>\n\nThe button is blue.", "The button is blue."],
    ["bare …</think> (Qwen3 Thinking template opens <think> in the prompt)", "looking…\n</think>\n\nThe button is blue.", "The button is blue."],
    ["whitespace before <think>", "\n  <think>x</think>answer", "answer"],
    ["answer that mentions tags later keeps them", "<think>a</think>Use <think> tags like </think> this", "Use <think> tags like </think> this"],
    ["null content", null, ""],
  ])("%s", (_l, content, answer) => {
    expect(stripReasoning(content)).toEqual({ text: answer, unfinishedReasoning: false });
  });

  it("flags reasoning that never closed (cut off by max_tokens)", () => {
    expect(stripReasoning("<think>\nstill thinking about the")).toEqual({ text: "", unfinishedReasoning: true });
  });
});
