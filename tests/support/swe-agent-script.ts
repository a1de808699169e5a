// A scripted SWE-agent model (what SERA does on a small bug fix) for the vLLM stub: it decides each step from
// the history it is sent — like a real model, it keeps no memory of its own — and answers with hermes-style
// tool calls: view the repo, view the file, str_replace the bug, run a check, submit.
import type { ChatRequestSeen, StubReply } from "./vllm-stub.ts";

export const BUGGY = "def add(a, b):\n    return a - b\n\n\ndef sub(a, b):\n    return a - b\n";
export const FIXED = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n";
/** SERA's usual last step: reasoning only, then submit; Claude Code shows the proxy's note. */
export const FINAL_REASONING = "The check passes: add() now returns a + b.";
export const FINAL_TEXT = "Submitted.";

/** The SWE-agent calls, in order, that the scripted model makes. */
export const SWE_STEPS = [
  { name: "str_replace_editor", arguments: { command: "view", path: "/testbed" } },
  { name: "str_replace_editor", arguments: { command: "view", path: "/testbed/calc.py" } },
  { name: "str_replace_editor", arguments: { command: "str_replace", path: "/testbed/calc.py", old_str: "def add(a, b):\n    return a - b", new_str: "def add(a, b):\n    return a + b" } },
  { name: "bash", arguments: { command: "cd /testbed && grep -n 'a + b' calc.py" } },
] as const;

export function sweAgentScript(req: ChatRequestSeen): StubReply {
  // Claude Code's side requests (session title …) come without tools: answer them plainly.
  if (!req.tools || req.tools.length === 0) return { text: '{"title": "Fix add in calc.py"}' };
  const done = req.messages.filter((m) => m.role === "tool").length;
  if (done < SWE_STEPS.length) {
    const step = SWE_STEPS[done];
    return { reasoning: `Step ${done + 1}: ${step.arguments.command}.`, toolCalls: [{ name: step.name, arguments: { ...step.arguments } }] };
  }
  return { reasoning: FINAL_REASONING, toolCalls: [{ name: "submit", arguments: {} }] };
}
