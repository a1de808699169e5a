// Splits `<think>…</think>` out of streamed content (models served without a reasoning parser put their reasoning
// inline). A tag may be split across chunks ("<thi" + "nk>"), so a possible tag prefix at the end of a chunk is
// held back until the next chunk decides it (and, inside thinking, trailing newlines — see below).
export interface ThinkSegment { thinking: boolean; text: string }

export interface ThinkSplitter {
  /** segments of this chunk, in order; held-back bytes come out with a later push or flush */
  push(text: string): ThinkSegment[];
  flush(): ThinkSegment[];
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
  let inThink = false;
  let pending = "";
  // the newline(s) the chat template puts right after a tag are layout, not content
  let trimLead = false;

  function emit(out: ThinkSegment[], text: string): void {
    if (trimLead) {
      text = text.replace(/^\n+/, "");
      if (text === "") return;
      trimLead = false;
    }
    if (text !== "") out.push({ thinking: inThink, text });
  }

  return {
    push(text) {
      const out: ThinkSegment[] = [];
      // fast path: no tag can start or continue here
      if (pending === "" && !inThink && !text.includes("<")) {
        emit(out, text);
        return out;
      }
      let buf = pending + text;
      pending = "";
      for (;;) {
        const tag = inThink ? CLOSE : OPEN;
        const at = buf.indexOf(tag);
        if (at >= 0) {
          // the template's newline before </think> is layout too
          emit(out, inThink ? buf.slice(0, at).replace(/\n+$/, "") : buf.slice(0, at));
          inThink = !inThink;
          trimLead = true;
          buf = buf.slice(at + tag.length);
          continue;
        }
        let keep = partialTagAt(buf, tag);
        // inside thinking, trailing newlines wait: they are dropped if </think> follows
        if (inThink) while (keep < buf.length && buf.charCodeAt(buf.length - keep - 1) === 10) keep++;
        emit(out, buf.slice(0, buf.length - keep));
        pending = buf.slice(buf.length - keep);
        return out;
      }
    },
    flush() {
      const out: ThinkSegment[] = [];
      if (pending !== "") emit(out, pending);
      pending = "";
      return out;
    },
  };
}
