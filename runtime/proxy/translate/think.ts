// Splits `<think>…</think>` out of streamed content (models served without a reasoning parser put their reasoning
// inline). A tag may be split across chunks ("<thi" + "nk>"), so a possible tag prefix at the end of a chunk is
// held back until the next chunk decides it (and, inside thinking, trailing newlines — see below).
export interface ThinkSegment { thinking: boolean; text: string }

export interface ThinkSplitter {
  /** segments of this chunk, in order; held-back bytes come out with a later push or flush */
  push(text: string): ThinkSegment[];
  flush(): ThinkSegment[];
  /** whether push(text) would give `text` back as one plain segment: true for nearly every chunk, which then needs
   *  no segment array */
  plain(text: string): boolean;
}

const OPEN = "<think>";
const CLOSE = "</think>";

/** length of the longest suffix of s that is a proper prefix of tag */
function partialTagAt(s: string, tag: string): number {
  const max = Math.min(tag.length - 1, s.length);
  for (let k = max; k > 0; k--) if (s.endsWith(tag.slice(0, k))) return k;
  return 0;
}

export function createThinkSplitter(): ThinkSplitter {
  return new Splitter();
}

/** A class for the same reason as the stream translator (stream.ts): methods V8 compiles once. */
class Splitter implements ThinkSplitter {
  private inThink = false;
  private pending = "";
  // the newline(s) the chat template puts right after a tag are layout, not content
  private trimLead = false;

  plain(text: string): boolean {
    return this.pending === "" && !this.inThink && !this.trimLead && text !== "" && !text.includes("<");
  }

  private emit(out: ThinkSegment[], text: string): void {
    if (this.trimLead) {
      text = text.replace(/^\n+/, "");
      if (text === "") return;
      this.trimLead = false;
    }
    if (text !== "") out.push({ thinking: this.inThink, text });
  }

  push(text: string): ThinkSegment[] {
    // fast path: no tag can start or continue here, nothing held or trimmed (the rare rest takes the loop below)
    if (this.plain(text)) return [{ thinking: false, text }];
    const out: ThinkSegment[] = [];
    let buf = this.pending + text;
    this.pending = "";
    for (;;) {
      const tag = this.inThink ? CLOSE : OPEN;
      const at = buf.indexOf(tag);
      if (at >= 0) {
        // the template's newline before </think> is layout too
        this.emit(out, this.inThink ? buf.slice(0, at).replace(/\n+$/, "") : buf.slice(0, at));
        this.inThink = !this.inThink;
        this.trimLead = true;
        buf = buf.slice(at + tag.length);
        continue;
      }
      let keep = partialTagAt(buf, tag);
      // inside thinking, trailing newlines wait: they are dropped if </think> follows
      if (this.inThink) while (keep < buf.length && buf.charCodeAt(buf.length - keep - 1) === 10) keep++;
      this.emit(out, buf.slice(0, buf.length - keep));
      this.pending = buf.slice(buf.length - keep);
      return out;
    }
  }

  flush(): ThinkSegment[] {
    const out: ThinkSegment[] = [];
    if (this.pending !== "") this.emit(out, this.pending);
    this.pending = "";
    return out;
  }
}
