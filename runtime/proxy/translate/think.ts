// Splits `<think>…</think>` out of streamed content (models served without a reasoning parser put their reasoning
// inline). A tag may be split across chunks ("<thi" + "nk>"), so a possible tag prefix at the end of a chunk is
// held back until the next chunk decides it.
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
      if (pending === "" && !text.includes("<")) {
        emit(out, text);
        return out;
      }
      let buf = pending + text;
      pending = "";
      for (;;) {
        const tag = inThink ? CLOSE : OPEN;
        const at = buf.indexOf(tag);
        if (at >= 0) {
          emit(out, buf.slice(0, at));
          inThink = !inThink;
          trimLead = true;
          buf = buf.slice(at + tag.length);
          continue;
        }
        const k = partialTagAt(buf, tag);
        emit(out, buf.slice(0, buf.length - k));
        pending = buf.slice(buf.length - k);
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
