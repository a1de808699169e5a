// The one SSE writer (Anthropic stream events out) and the one SSE reader (vLLM chunks in).
// Frames follow https://html.spec.whatwg.org/multipage/server-sent-events.html: "event: T\ndata: JSON\n\n".
import type { ServerResponse } from "node:http";
import type { StreamEvent } from "./types.ts";

const encoder = new TextEncoder();

export function sseFrame(e: StreamEvent): string {
  // Deltas are nearly every frame of a stream: written field by field (same bytes as JSON.stringify would give,
  // see tests/runtime/proxy-stream.test.ts) to spare an object walk per chunk.
  if (e.type === "content_block_delta") {
    const d = e.delta;
    const head = `event: content_block_delta\ndata: {"type":"content_block_delta","index":${e.index},"delta":{"type":"`;
    if (d.type === "text_delta") return `${head}text_delta","text":${JSON.stringify(d.text)}}}\n\n`;
    if (d.type === "input_json_delta") return `${head}input_json_delta","partial_json":${JSON.stringify(d.partial_json)}}}\n\n`;
    if (d.type === "thinking_delta") return `${head}thinking_delta","thinking":${JSON.stringify(d.thinking)}}}\n\n`;
  }
  return `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

/** Writes events to a ReadableStream's controller; silently drops writes once the client is gone. */
export interface SseWriter {
  send(e: StreamEvent): void;
  /** writes what send() collected */
  flush(): void;
  /** flushes and ends the stream */
  close(): void;
  readonly closed: boolean;
}

/** Frames are collected by send() and written by flush(): the caller flushes once per upstream read. */
export function sseWriter(controller: ReadableStreamDefaultController<Uint8Array>): SseWriter {
  let closed = false;
  let pending = "";
  return {
    get closed() { return closed; },
    send(e) {
      if (!closed) pending += sseFrame(e);
    },
    flush() {
      if (closed || pending === "") return;
      try { controller.enqueue(encoder.encode(pending)); } catch { closed = true; }
      pending = "";
    },
    close() {
      if (closed) return;
      this.flush();
      closed = true;
      try { controller.close(); } catch { /* already errored by a disconnect */ }
    },
  };
}

/** The same writer straight onto node's ServerResponse: skips the web-stream hop, which costs more CPU than the
 *  translation itself (bench/proxy.bench.ts). flush() writes at the end of the current I/O round (setImmediate),
 *  not at once: the reads of one round, and the end of the stream when it is in the same round, leave in one
 *  socket write. On loopback each write wakes the reader, the largest per-request cost at concurrency 1
 *  (PERFORMANCE.md, fourth pass); a token is delayed by microseconds, never by a later read. */
export function nodeSseWriter(res: ServerResponse): SseWriter {
  return new NodeSseWriter(res);
}

function writeSoon(w: NodeSseWriter): void { w.write(); }

/** A class, not closures per request: V8 compiles its methods once (translate/stream.ts says why that matters). */
class NodeSseWriter implements SseWriter {
  private readonly res: ServerResponse;
  private done = false;
  private pending = "";
  private scheduled = false;

  constructor(res: ServerResponse) { this.res = res; }

  get closed(): boolean { return this.done || this.res.destroyed; }

  /** setImmediate's callback (through writeSoon: no closure per writer) */
  write(): void {
    this.scheduled = false;
    if (this.done || this.pending === "" || this.res.destroyed) return;
    this.res.write(this.pending);
    this.pending = "";
  }

  send(e: StreamEvent): void {
    if (!this.done) this.pending += sseFrame(e);
  }

  flush(): void {
    if (this.scheduled || this.done || this.pending === "") return;
    this.scheduled = true;
    setImmediate(writeSoon, this);
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    // the last frames and the end of the chunked body in one write (one syscall less per request)
    if (!this.res.destroyed) this.res.end(this.pending === "" ? undefined : this.pending);
    this.pending = "";
  }
}

/** Yields, per read from the upstream body, the `data:` payloads of the events completed by that read — so that one
 *  read becomes one write to the client (fewer syscalls) while nothing waits for a later read. */
export async function* sseData(body: AsyncIterable<string | Uint8Array>): AsyncGenerator<string[]> {
  const decoder = new TextDecoder();
  let buf = "";
  for await (const part of body) {
    buf += typeof part === "string" ? part : decoder.decode(part, { stream: true });
    // CRLF/CR line ends → LF; a trailing CR waits for the next read, which may start with its LF
    if (buf.includes("\r")) {
      const tail = buf.endsWith("\r") ? "\r" : "";
      buf = buf.slice(0, buf.length - tail.length).replace(/\r\n?/g, "\n") + tail;
    }
    const out: string[] = [];
    let from = 0;
    let end: number;
    while ((end = buf.indexOf("\n\n", from)) >= 0) {
      const block = buf.slice(from, end);
      from = end + 2;
      if (block.startsWith("data: ") && !block.includes("\n")) { out.push(block.slice(6)); continue; }
      // general form: several lines, comments (":"), "data:" without the space, other fields ignored
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("data:")) data.push(line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5));
      }
      if (data.length > 0) out.push(data.join("\n"));
    }
    buf = buf.slice(from);
    if (out.length > 0) yield out;
  }
  buf = buf.replace(/\r\n?/g, "\n");
  if (buf.startsWith("data:")) yield [buf.slice(buf.charCodeAt(5) === 32 ? 6 : 5).trimEnd()];
}
