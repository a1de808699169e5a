// The swe-agent dialect (SERA): the model is offered only the tools it was trained with (str_replace_editor,
// bash, submit); its calls become Claude Code's Read/Write/Edit/Bash and Claude Code's history goes back to
// it as a SWE-agent trajectory. Everything is derived from the request — no state between requests.
import { statSync } from "node:fs";
import type { CompletedToolCall, Dialect, DialectContext, ToolCallOutcome, UpstreamPrompt } from "../dialect.ts";
import type { AnthropicRequest } from "../types.ts";
import { forwardCall } from "./swe-agent/calls.ts";
import { renderPrompt } from "./swe-agent/history.ts";
import { SUBMITTED_NOTE } from "./swe-agent/tools.ts";

export interface SweAgentDialectOptions {
  /** Whether a local path is a directory (a `view` of one is a listing). Default: the local filesystem,
   *  which is Claude Code's too — the proxy runs beside it. */
  readonly isDirectory?: (localPath: string) => boolean;
}

function isLocalDirectory(p: string): boolean {
  try {
    return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

export function createSweAgentDialect(opts: SweAgentDialectOptions = {}): Dialect {
  const isDirectory = opts.isDirectory ?? isLocalDirectory;
  return {
    name: "swe-agent",
    streamsToolArguments: false,
    toUpstream(req: AnthropicRequest, ctx: DialectContext): UpstreamPrompt {
      return renderPrompt(req, ctx.cwd);
    },
    fromToolCall(call: CompletedToolCall, ctx: DialectContext): ToolCallOutcome {
      let args: unknown;
      try {
        args = call.arguments.trim() === "" ? {} : JSON.parse(call.arguments);
      } catch {
        args = undefined;
      }
      if (args === null || typeof args !== "object" || Array.isArray(args)) {
        // Nothing Claude Code could run: show the user what the model tried instead of guessing.
        return { kind: "text", text: `The model called ${call.name} with arguments that are not a JSON object: ${call.arguments}` };
      }
      const mapped = forwardCall({ name: call.name, args: args as Record<string, unknown> }, { cwd: ctx.cwd, isDirectory });
      // submit ends the turn: no tool_use, so stop_reason end_turn, with a visible note (see SUBMITTED_NOTE)
      if (mapped.kind === "end_turn") return { kind: "text", text: SUBMITTED_NOTE };
      return { kind: "tool_use", id: call.id, name: mapped.name, input: mapped.input };
    },
  };
}

export const sweAgentDialect: Dialect = createSweAgentDialect();
