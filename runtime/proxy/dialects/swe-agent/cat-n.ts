// SWE-agent's `cat -n` rendering (tools/edit_anthropic `_make_output`) and the parsing of Claude Code's Read
// output it is rebuilt from.

/** SWE-agent cuts long file views here and appends its note (maybe_truncate). */
export const MAX_RESPONSE_LEN = 16000;
export const TRUNCATED_MESSAGE =
  "<response clipped><NOTE>To save on context only part of this file has been shown to you. You should retry this tool after you have searched inside the file with `grep -n` in order to find the line numbers of what you are looking for.</NOTE>";

/** Python's str.expandtabs(8): tab stops every 8 columns, column reset at each newline. */
export function expandTabs(s: string, tabSize = 8): string {
  if (!s.includes("\t")) return s;
  let out = "";
  let col = 0;
  for (const ch of s) {
    if (ch === "\t") {
      const n = tabSize - (col % tabSize);
      out += " ".repeat(n);
      col += n;
    } else if (ch === "\n" || ch === "\r") {
      out += ch;
      col = 0;
    } else {
      out += ch;
      col += 1;
    }
  }
  return out;
}

/** `{:6}\t{line}` numbering of `content` from `initLine`, with SWE-agent's header and trailing newline. */
export function catN(content: string, descriptor: string, initLine = 1): string {
  let text = content.length > MAX_RESPONSE_LEN ? content.slice(0, MAX_RESPONSE_LEN) + TRUNCATED_MESSAGE : content;
  text = expandTabs(text);
  const numbered = text.split("\n").map((line, i) => `${String(i + initLine).padStart(6)}\t${line}`);
  return `Here's the result of running \`cat -n\` on ${descriptor}:\n${numbered.join("\n")}\n`;
}

/** Lines of a Read result: Claude Code 2.1.3xx prints `N\tline`; older builds `     N→line`. */
export interface NumberedLines {
  readonly first: number;
  readonly lines: readonly string[];
}

const NUMBERED_LINE = /^\s*(\d+)(?:\t|\u2192)(.*)$/;
// Claude Code trims the result's end before appending a reminder, so the file's final empty line ("7\t")
// can arrive as a bare "7".
const BARE_LAST_LINE = /^\s*(\d+)$/;

/** Parses a Read result into consecutive numbered lines; undefined when it is not one (e.g. a notice). */
export function parseNumberedLines(text: string): NumberedLines | undefined {
  if (text === "") return undefined;
  const raw = text.split("\n");
  const lines: string[] = [];
  let first = 0;
  for (let i = 0; i < raw.length; i++) {
    const m = NUMBERED_LINE.exec(raw[i]) ?? (i > 0 && i === raw.length - 1 ? BARE_LAST_LINE.exec(raw[i]) : null);
    if (!m) return undefined;
    const n = Number(m[1]);
    if (i === 0) first = n;
    else if (n !== first + i) return undefined;
    lines.push(m[2] ?? "");
  }
  return { first, lines };
}
