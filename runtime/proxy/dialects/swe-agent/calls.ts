// A SWE-agent tool call ⇄ the Claude Code tool_use that carries it out. The reverse direction recovers the
// SWE-agent call from the tool_use stored in Claude Code's history, so no call is remembered between requests.
import { BASH_TOOL, EDITOR_TOOL, SUBMIT_TOOL } from "./tools.ts";
import { commandToLocal, shellQuote, shellUnquote, textToSwe, toLocalPath, toSwePath } from "./paths.ts";

/** A call as the model made it (or as it is rendered back to the model). */
export interface SweCall {
  readonly name: string;
  readonly args: Record<string, unknown>;
  /** set by reverseCall when a `view` was carried out as a directory listing (not shown to the model) */
  readonly directory?: true;
}

export interface ClaudeToolUse {
  readonly name: string;
  readonly input: Record<string, unknown>;
}

export type ForwardResult =
  | { kind: "tool_use"; name: string; input: Record<string, unknown> }
  | { kind: "end_turn" };

export interface ForwardContext {
  readonly cwd: string | undefined;
  /** Whether a local path is a directory; a directory view becomes a `find`, a file view a Read. */
  readonly isDirectory: (localPath: string) => boolean;
}

// Marks the Bash call that stands for `str_replace_editor view <dir>`, so the reverse mapping does not mistake
// a `find` the model ran itself for a view. Claude Code keeps tool inputs verbatim in its history.
export const DIRECTORY_VIEW_DESCRIPTION = "List files up to 2 levels deep (str_replace_editor view)";

// SWE-agent lists with `find <dir> -maxdepth 2 -not -path '*/\.*'` (tools/edit_anthropic). That pattern also
// hides everything when the directory itself sits below a hidden one (~/.local/…), so hidden entries are
// excluded relative to the listed directory instead: same listing for /testbed, right one everywhere else.
function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, "\\$&");
}

export function directoryListingCommand(localDir: string): string {
  const d = globEscape(localDir.length > 1 && localDir.endsWith("/") ? localDir.slice(0, -1) : localDir);
  return `find ${shellQuote(localDir)} -maxdepth 2 -not -path ${shellQuote(`${d}/.*`)} -not -path ${shellQuote(`${d}/*/.*`)}`;
}

function parseDirectoryListingCommand(command: string): string | undefined {
  const m = /^find ('(?:[^']|'\\'')*'|\S+) -maxdepth 2 /.exec(command);
  if (!m) return undefined;
  const dir = shellUnquote(m[1]);
  return dir !== undefined && directoryListingCommand(dir) === command ? dir : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function int(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) ? v : undefined;
}

/** view_range [a, b] → Read offset/limit; [a, -1] → offset only. Anything else: the whole file. */
function readRange(viewRange: unknown): { offset?: number; limit?: number } {
  if (!Array.isArray(viewRange) || viewRange.length !== 2) return {};
  const [a, b] = viewRange.map(int);
  if (a === undefined || b === undefined || a < 1) return {};
  if (b === -1) return { offset: a };
  if (b < a) return {};
  return { offset: a, limit: b - a + 1 };
}

/** The model's call → what Claude Code runs. Unknown tools and editor commands pass through unchanged:
 *  Claude Code then answers with an error the result renderer turns into SWE-agent's message. */
export function forwardCall(call: SweCall, ctx: ForwardContext): ForwardResult {
  const { name, args } = call;
  if (name === SUBMIT_TOOL) return { kind: "end_turn" };
  if (name === BASH_TOOL) {
    const command = str(args.command) ?? "";
    return { kind: "tool_use", name: "Bash", input: { command: commandToLocal(command, ctx.cwd) } };
  }
  if (name === EDITOR_TOOL) {
    const path = str(args.path);
    if (path !== undefined) {
      const local = toLocalPath(path, ctx.cwd);
      switch (args.command) {
        case "view":
          if (ctx.isDirectory(local)) {
            return {
              kind: "tool_use",
              name: "Bash",
              input: { command: directoryListingCommand(local), description: DIRECTORY_VIEW_DESCRIPTION },
            };
          }
          return { kind: "tool_use", name: "Read", input: { file_path: local, ...readRange(args.view_range) } };
        case "create":
          return { kind: "tool_use", name: "Write", input: { file_path: local, content: str(args.file_text) ?? "" } };
        case "str_replace":
          return {
            kind: "tool_use",
            name: "Edit",
            input: { file_path: local, old_string: str(args.old_str) ?? "", new_string: str(args.new_str) ?? "" },
          };
      }
    }
  }
  return { kind: "tool_use", name, input: args };
}

/** A tool_use from Claude Code's history → the SWE-agent call the model is shown (inverse of forwardCall). */
export function reverseCall(use: ClaudeToolUse, cwd: string | undefined): SweCall {
  const input = use.input;
  switch (use.name) {
    case "Bash": {
      const command = str(input.command) ?? "";
      if (input.description === DIRECTORY_VIEW_DESCRIPTION) {
        const dir = parseDirectoryListingCommand(command);
        if (dir !== undefined) {
          return { name: EDITOR_TOOL, args: { command: "view", path: toSwePath(dir, cwd) }, directory: true };
        }
      }
      return { name: BASH_TOOL, args: { command: textToSwe(command, cwd) } };
    }
    case "Read": {
      const args: Record<string, unknown> = { command: "view", path: toSwePath(str(input.file_path) ?? "", cwd) };
      const offset = int(input.offset);
      const limit = int(input.limit);
      if (offset !== undefined || limit !== undefined) {
        const start = offset ?? 1;
        args.view_range = [start, limit !== undefined ? start + limit - 1 : -1];
      }
      return { name: EDITOR_TOOL, args };
    }
    case "Write":
      return {
        name: EDITOR_TOOL,
        args: { command: "create", path: toSwePath(str(input.file_path) ?? "", cwd), file_text: str(input.content) ?? "" },
      };
    case "Edit":
      return {
        name: EDITOR_TOOL,
        args: {
          command: "str_replace",
          path: toSwePath(str(input.file_path) ?? "", cwd),
          old_str: str(input.old_string) ?? "",
          new_str: str(input.new_string) ?? "",
        },
      };
    default:
      return { name: use.name, args: input };
  }
}
