// qwen-code 0.24.4's deferred-MCP-tool flow as recorded from the real CLI (tests/fixtures/qwen-code, captured by
// e2e/capture-fixtures.ts), and the stub coder's script checked against those recorded requests — so the e2e
// stub reacts to what qwen actually sends, not to what we assume it sends.
import { describe, expect, it } from "@jest/globals";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ChatRequestSeen } from "../support/openai-script-stub.ts";
import { messageText } from "../support/openai-script-stub.ts";
import { FINAL_PREFIX, MCP_TOOL, VLM_ANSWER, vlmToolScript } from "./e2e/scenario.ts";

const fixture = async (name: string) =>
  JSON.parse(await readFile(join(import.meta.dirname, "..", "fixtures", "qwen-code", `0.24.4-${name}.json`), "utf8")) as ChatRequestSeen;

describe("qwen-code 0.24.4 requests", () => {
  it("turn 1 hides the MCP tool behind tool_search/tool_call and names it only in a system reminder", async () => {
    const turn1 = await fixture("turn1-tool-search");
    expect(Object.keys(turn1).sort()).toEqual(["max_tokens", "messages", "model", "stream", "stream_options", "tools"]);
    expect(turn1).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const tools = (turn1.tools ?? []).map((t) => t.function.name);
    expect(tools).toEqual(expect.arrayContaining(["tool_search", "tool_call"]));
    expect(tools).not.toContain(MCP_TOOL);
    const reminder = turn1.messages.map(messageText).find((t) => t.includes(MCP_TOOL));
    expect(reminder).toContain("reachable through `tool_search` and `tool_call`");
    expect(vlmToolScript(turn1, 0)).toEqual({ toolCalls: [{ name: "tool_search", arguments: { query: `select:${MCP_TOOL}` } }] });
  });

  it("turn 2 carries the schema tool_search returned; the script invokes the tool through the tool_call bridge", async () => {
    const turn2 = await fixture("turn2-tool-call");
    const result = turn2.messages.at(-1)!;
    expect(result.role).toBe("tool");
    expect(result.content).toEqual([{ type: "text", text: expect.stringContaining(`<function>{"name":"${MCP_TOOL}"`) }]);
    expect((turn2.tools ?? []).map((t) => t.function.name)).not.toContain(MCP_TOOL);
    expect(vlmToolScript(turn2, 1)).toEqual({
      toolCalls: [{ name: "tool_call", arguments: { name: MCP_TOOL, arguments: { image_path: "./square.png", prompt: "What does this image show?" } } }],
    });
  });

  it("turn 3 carries the MCP server's answer as a tool message of text parts; the script returns it", async () => {
    const turn3 = await fixture("turn3-tool-result");
    const result = turn3.messages.at(-1)!;
    expect(result.role).toBe("tool");
    expect(messageText(result)).toContain(VLM_ANSWER);
    const answer = vlmToolScript(turn3, 2);
    expect(answer).toEqual({ text: expect.stringMatching(new RegExp(`^${FINAL_PREFIX} .*${VLM_ANSWER}`, "s")) });
  });
});
