// A Claude Code tool result → the observation SWE-agent would have printed for the same call
// (tools/edit_anthropic/bin/str_replace_editor wording). Pure given the call, the result and the file
// knowledge replayed from earlier turns (which it also updates).
import { catN, parseNumberedLines } from "./cat-n.ts";
import type { SweCall } from "./calls.ts";
import type { FileKnowledge } from "./file-knowledge.ts";
import { textToSwe } from "./paths.ts";
import { BASH_TOOL, EDITOR_TOOL } from "./tools.ts";

export interface ClaudeToolResult {
  readonly text: string;
  readonly isError: boolean;
}

const REMINDER = /<system-reminder>[\s\S]*?<\/system-reminder>/g;

/** Claude Code's `<system-reminder>` insertions are nothing SWE-agent ever printed. */
export function stripSystemReminders(text: string): string {
  const stripped = text.replace(/\n*<system-reminder>[\s\S]*?<\/system-reminder>/g, "");
  return /^\s*<system-reminder>/.test(text) ? stripped.replace(/^\n+/, "") : stripped;
}

function reminderTexts(text: string): string {
  return (text.match(REMINDER) ?? [])
    .map((r) => r.replace(/^<system-reminder>|<\/system-reminder>$/g, "").trim())
    .join("\n");
}

function stripToolUseError(text: string): string {
  return text.replace(/<\/?tool_use_error>/g, "");
}

export const NO_OUTPUT = "Your command ran successfully and did not produce any output.";
const ERROR_PREFIX = "ERROR: The operation was NOT performed. ";
const REVIEW = "Review the changes and make sure they are as expected. Edit the file again if necessary.";

// Commands that can rewrite files we have seen: the replayed lines of those files are no longer trusted.
const REWRITES_ANY_FILE = /\bgit\s+(checkout|reset|stash|apply|restore|am|merge|rebase|pull|switch|revert|cherry-pick)\b|\bpatch\b/;

function basename(p: string): string {
  const i = p.lastIndexOf("/");
  return i === -1 ? p : p.slice(i + 1);
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function viewFile(path: string, viewRange: unknown, raw: string, isError: boolean, kb: FileKnowledge, cwd: string | undefined): string {
  const text = textToSwe(stripToolUseError(stripSystemReminders(raw)), cwd);
  if (isError) return ERROR_PREFIX + text;
  const range = Array.isArray(viewRange) && viewRange.length === 2 ? (viewRange as number[]) : undefined;

  // Claude Code answers a second Read of an unchanged file with a pointer to the first; SWE-agent shows it again.
  if (/file unchanged since (last|your last) read/i.test(text)) {
    if (range === undefined) {
      const whole = kb.whole(path);
      if (whole !== undefined) return catN(whole, path);
    } else {
      const lines = kb.range(path, range[0], range[1]);
      if (lines !== undefined) return catN(lines.join("\n"), path, range[0]);
    }
    return text;
  }

  const parsed = parseNumberedLines(text);
  if (parsed) {
    // Claude Code's Read stops at 2000 lines: a whole-file view of that length may be cut short.
    if (range === undefined && parsed.first === 1 && parsed.lines.length < 2000) kb.setWhole(path, parsed.lines.join("\n"));
    else kb.setLines(path, parsed.first, parsed.lines);
    return catN(parsed.lines.join("\n"), path, parsed.first);
  }
  if (text.trim() === "" && range === undefined && /contents are empty/.test(raw)) {
    kb.setWhole(path, "");
    return catN("", path);
  }
  if (text.trim() === "") return textToSwe(reminderTexts(raw), cwd);
  return text;
}

function strReplace(call: SweCall, path: string, raw: string, isError: boolean, kb: FileKnowledge, cwd: string | undefined): string {
  const oldStr = str(call.args.old_str);
  const newStr = str(call.args.new_str);
  const text = textToSwe(stripToolUseError(stripSystemReminders(raw)), cwd);
  if (isError) {
    if (/No changes to make|exactly the same/i.test(text)) {
      return `No replacement was performed, old_str \`${oldStr}\` is the same as new_str \`${newStr}\`.`;
    }
    if (/Found \d+ matches|not unique|multiple (matches|occurrences)/i.test(text)) {
      const whole = kb.whole(path);
      const where = whole === undefined
        ? ""
        : ` in lines [${whole.split("\n").flatMap((l, i) => (l.includes(oldStr) ? [i + 1] : [])).join(", ")}]`;
      return `No replacement was performed. Multiple occurrences of old_str \`${oldStr}\`${where}. Please ensure it is unique`;
    }
    if (/String to replace not found|not found in file/i.test(text)) {
      return `No replacement was performed, old_str \`${oldStr}\` did not appear verbatim in ${path}.`;
    }
    return ERROR_PREFIX + text;
  }
  const snippet = kb.applyReplace(path, oldStr, newStr);
  if (!snippet) return `The file ${path} has been edited. ${REVIEW}`;
  return `The file ${path} has been edited. ${catN(snippet.text, `a snippet of ${path}`, snippet.start)}${REVIEW}`;
}

/** Renders one tool result for the model and replays its effect on the file knowledge. */
export function renderToolResult(call: SweCall, result: ClaudeToolResult, kb: FileKnowledge, cwd: string | undefined): string {
  const { text: raw, isError } = result;
  if (call.name === EDITOR_TOOL) {
    // Without a path the call could not be mapped (Claude Code was handed it as is and refused it).
    if (typeof call.args.path !== "string") {
      return "ERROR: The operation was NOT performed. Parameter `path` is required: an absolute path such as /testbed/file.py.";
    }
    const path = call.args.path;
    switch (call.args.command) {
      case "view": {
        // A directory view ran as a Bash `find`: its output is the listing (absolute paths, one per line).
        // SWE-agent prints find's stdout (ending in a newline) followed by one more newline.
        if (call.directory) {
          const listing = textToSwe(stripToolUseError(stripSystemReminders(raw)), cwd).replace(/\n+$/, "");
          if (isError) return ERROR_PREFIX + listing;
          return `Here's the files and directories up to 2 levels deep in ${path}, excluding hidden items:\n${listing}\n\n`;
        }
        return viewFile(path, call.args.view_range, raw, isError, kb, cwd);
      }
      case "create":
        // Claude Code refuses to overwrite a file it has not read; SWE-agent's create refuses any existing file.
        if (isError && /has not been read yet|already exists/i.test(raw)) {
          return `File already exists at: ${path}. Cannot overwrite files using command \`create\`.`;
        }
        if (isError) return ERROR_PREFIX + textToSwe(stripToolUseError(stripSystemReminders(raw)), cwd);
        kb.setWhole(path, str(call.args.file_text));
        return `File created successfully at: ${path}`;
      case "str_replace":
        return strReplace(call, path, raw, isError, kb, cwd);
      default:
        if (typeof call.args.command === "string") {
          return `Unrecognized command ${call.args.command}. The allowed commands for the str_replace_editor tool are: "view", "create", "str_replace"`;
        }
    }
    return ERROR_PREFIX + textToSwe(stripToolUseError(stripSystemReminders(raw)), cwd);
  }

  const text = textToSwe(stripToolUseError(stripSystemReminders(raw)), cwd);
  if (call.name === BASH_TOOL) {
    const command = str(call.args.command);
    if (REWRITES_ANY_FILE.test(command)) kb.forgetAll();
    else for (const p of kb.paths()) if (command.includes(basename(p))) kb.forget(p);
    // A failing command did run: its output (with Claude Code's "Exit code N" line) is the observation.
    if (isError && !/^Exit code \d+/.test(text)) return ERROR_PREFIX + text;
    const trimmed = text.trim();
    if (trimmed === "" || trimmed === "(No output)" || trimmed === "(No content)") return NO_OUTPUT;
    return text;
  }
  return isError ? ERROR_PREFIX + text : text;
}
