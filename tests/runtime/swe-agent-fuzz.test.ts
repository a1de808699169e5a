// Property tests of the swe-agent rendering over random (schema-valid) Claude Code histories: it never throws,
// renders the same bytes every time, and a shorter history renders to a prefix of a longer one (the property
// vLLM's prefix cache relies on across turns).
import fc from "fast-check";
import { createSweAgentDialect } from "../../runtime/proxy/dialects/swe-agent.ts";
import type { AnthropicMessage, AnthropicRequest, ContentBlock } from "../../runtime/proxy/types.ts";

const CWD = "/home/dev/project";
const dialect = createSweAgentDialect({ isDirectory: (p) => p === CWD });

const id = fc.constantFrom("t1", "t2", "t3", "chatcmpl-tool-9");
const path = fc.constantFrom(`${CWD}/a.py`, `${CWD}/src/b.ts`, "/etc/hosts", "rel.txt", CWD, "");
const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom("<system-reminder>x</system-reminder>", "1\tfoo\n2\tbar\n3\t", "File unchanged since last read.", "Exit code 2\nboom", `${CWD}/a.py`, "<tool_use_error>String to replace not found in file.</tool_use_error>", "\u0000\ud800"),
);
const input = fc.oneof(
  fc.record({ file_path: path, offset: fc.option(fc.integer({ min: -2, max: 3000 }), { nil: undefined }), limit: fc.option(fc.integer({ min: -1, max: 3000 }), { nil: undefined }) }),
  fc.record({ file_path: path, content: text }),
  fc.record({ file_path: path, old_string: text, new_string: text, replace_all: fc.boolean() }),
  fc.record({ command: text, description: fc.option(fc.constantFrom("List files up to 2 levels deep (str_replace_editor view)", "x"), { nil: undefined }) }),
  fc.jsonValue(),
);
const block: fc.Arbitrary<ContentBlock | { type: string; [k: string]: unknown }> = fc.oneof(
  fc.record({ type: fc.constant("text" as const), text }),
  fc.record({ type: fc.constant("thinking" as const), thinking: text, signature: fc.string({ maxLength: 5 }) }),
  fc.record({ type: fc.constant("tool_use" as const), id, name: fc.constantFrom("Read", "Write", "Edit", "Bash", "Glob", "WebFetch"), input }),
  fc.record({
    type: fc.constant("tool_result" as const), tool_use_id: id, is_error: fc.option(fc.boolean(), { nil: undefined }),
    content: fc.oneof(text, fc.array(fc.oneof(fc.record({ type: fc.constant("text"), text }), fc.record({ type: fc.constant("image"), source: fc.constant({ type: "url", url: "http://x/i.png" }) })), { maxLength: 3 })),
  }),
  fc.record({ type: fc.constantFrom("server_tool_use", "document", "redacted_thinking"), data: fc.string({ maxLength: 5 }) }),
);
const message: fc.Arbitrary<AnthropicMessage> = fc.record({
  role: fc.constantFrom("user" as const, "assistant" as const, "system" as const),
  content: fc.oneof(text, fc.array(block, { maxLength: 4 }) as fc.Arbitrary<ContentBlock[]>),
});
const request = (messages: AnthropicMessage[], tools: boolean): AnthropicRequest => ({
  model: "m", max_tokens: 100, messages, ...(tools ? { tools: [{ name: "Bash" }] } : {}),
  system: [{ type: "text", text: `Primary working directory: ${CWD}` }],
});

describe("swe-agent rendering of arbitrary histories", () => {
  it("never throws, is deterministic, and earlier turns render to a prefix of later ones", () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 12 }), fc.boolean(), fc.nat(), (messages, tools, cut) => {
        const full = dialect.toUpstream(request(messages, tools), { cwd: CWD });
        expect(JSON.stringify(dialect.toUpstream(request(structuredClone(messages), tools), { cwd: CWD }))).toBe(JSON.stringify(full));
        const k = messages.length === 0 ? 0 : cut % (messages.length + 1);
        const part = dialect.toUpstream(request(messages.slice(0, k), tools), { cwd: CWD });
        expect(JSON.stringify(full.messages.slice(0, part.messages.length))).toBe(JSON.stringify(part.messages));
        for (const m of full.messages) {
          expect(["system", "user", "assistant", "tool"]).toContain(m.role);
          if (m.role === "assistant" && m.tool_calls) for (const c of m.tool_calls) expect(() => JSON.parse(c.function.arguments)).not.toThrow();
        }
      }),
      { numRuns: 1500 },
    );
  });
});
