// What the conversation so far says about each file's lines. SWE-agent answers a str_replace with a `cat -n`
// snippet of the edited file; Claude Code's Edit answers only "updated successfully". Reading the disk when a
// history is rendered would make the prompt depend on the current file (and break byte-for-byte rendering),
// so the snippet is rebuilt from the history itself: file views, creates and earlier edits, replayed in order.
// Built fresh for every request: a fold over the history, never state kept between requests.

interface Known {
  /** 1-based line number → text */
  lines: Map<number, string>;
  /** number of "\n"-separated lines when the whole file is known */
  count?: number;
}

export interface EditSnippet {
  /** 1-based number of the first snippet line */
  readonly start: number;
  readonly text: string;
}

/** SWE-agent shows this many lines around an edit (tools/edit_anthropic SNIPPET_LINES). */
const SNIPPET_LINES = 4;

function countOccurrences(haystack: string, needle: string): number {
  if (needle === "") return 0;
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

function newlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf("\n"); i !== -1; i = s.indexOf("\n", i + 1)) n++;
  return n;
}

/** Python's len(s.splitlines()) for \n / \r\n text. */
function splitlinesCount(s: string): number {
  if (s === "") return 0;
  const parts = s.split("\n").length;
  return s.endsWith("\n") ? parts - 1 : parts;
}

/** Consecutive known line numbers as [first, last] runs. */
function runs(lines: Map<number, string>): Array<[number, number]> {
  const keys = [...lines.keys()].sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (const k of keys) {
    const last = out[out.length - 1];
    if (last && k === last[1] + 1) last[1] = k;
    else out.push([k, k]);
  }
  return out;
}

export class FileKnowledge {
  private readonly files = new Map<string, Known>();

  /** The whole content is known (a create, or a view of the whole file). */
  setWhole(path: string, content: string): void {
    const split = content.split("\n");
    const lines = new Map<number, string>();
    split.forEach((l, i) => lines.set(i + 1, l));
    this.files.set(path, { lines, count: split.length });
  }

  /** Some lines are known (a view with a range, or a whole view that may have been cut short). */
  setLines(path: string, first: number, lines: readonly string[]): void {
    const known = this.files.get(path) ?? { lines: new Map<number, string>() };
    lines.forEach((l, i) => known.lines.set(first + i, l));
    if (known.count !== undefined && first + lines.length - 1 > known.count) known.count = undefined;
    this.files.set(path, known);
  }

  forget(path: string): void {
    this.files.delete(path);
  }

  forgetAll(): void {
    this.files.clear();
  }

  paths(): string[] {
    return [...this.files.keys()];
  }

  /** The whole content, when known. */
  whole(path: string): string | undefined {
    const known = this.files.get(path);
    if (!known || known.count === undefined) return undefined;
    const out: string[] = [];
    for (let i = 1; i <= known.count; i++) {
      const l = known.lines.get(i);
      if (l === undefined) return undefined;
      out.push(l);
    }
    return out.join("\n");
  }

  /** Lines first..last (inclusive, last = -1: to the end), when every one of them is known. */
  range(path: string, first: number, last: number): string[] | undefined {
    const known = this.files.get(path);
    if (!known) return undefined;
    const end = last === -1 ? known.count : last;
    if (end === undefined) return undefined;
    const out: string[] = [];
    for (let i = first; i <= end; i++) {
      const l = known.lines.get(i);
      if (l === undefined) return undefined;
      out.push(l);
    }
    return out;
  }

  /**
   * Replays a successful str_replace and returns SWE-agent's snippet of the result. When the known lines
   * cannot place the edit (never viewed, or changed since), the file is forgotten and undefined returned.
   */
  applyReplace(path: string, oldStr: string, newStr: string): EditSnippet | undefined {
    const known = this.files.get(path);
    if (!known || oldStr === "") {
      this.forget(path);
      return undefined;
    }
    const hits = runs(known.lines)
      .map(([a, b]) => {
        const text = Array.from({ length: b - a + 1 }, (_, i) => known.lines.get(a + i) as string).join("\n");
        return { a, b, text, n: countOccurrences(text, oldStr) };
      })
      .filter((r) => r.n > 0);
    // Claude Code only edits when old_str is unique in the file: anything else means our lines are stale.
    if (hits.length !== 1 || hits[0].n !== 1) {
      this.forget(path);
      return undefined;
    }
    const { a, b, text } = hits[0];
    const at = text.indexOf(oldStr);
    const newText = text.slice(0, at) + newStr + text.slice(at + oldStr.length);
    const newRun = newText.split("\n");
    const delta = newRun.length - (b - a + 1);

    const lines = new Map<number, string>();
    for (const [k, v] of known.lines) {
      if (k < a) lines.set(k, v);
      else if (k > b) lines.set(k + delta, v);
    }
    newRun.forEach((l, i) => lines.set(a + i, l));
    const count = known.count === undefined ? undefined : known.count + delta;
    this.files.set(path, { lines, count });

    // SWE-agent's window (str_replace in tools/edit_anthropic), 0-based replacement line and all:
    const replacementLine = a - 1 + newlines(text.slice(0, at));
    let start = Math.max(1, replacementLine - SNIPPET_LINES);
    let end = replacementLine + SNIPPET_LINES + newlines(newStr);
    if (count !== undefined) {
      const whole = this.whole(path) as string;
      end = Math.min(end, splitlinesCount(whole));
    } else {
      // Only part of the file is known: show the part of SWE-agent's window we can vouch for.
      start = Math.max(start, a);
      end = Math.min(end, a + newRun.length - 1);
    }
    const snippet: string[] = [];
    for (let i = start; i <= end; i++) snippet.push(lines.get(i) as string);
    return { start, text: snippet.join("\n") };
  }
}
