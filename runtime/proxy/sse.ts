// The one SSE writer (Anthropic stream events out) and the one SSE reader (vLLM chunks in).
// Frames follow https://html.spec.whatwg.org/multipage/server-sent-events.html: "event: T\ndata: JSON\n\n".
import type { StreamEvent } from "./types.ts";

const encoder = new TextEncoder();

export function sseFrame(e: StreamEvent): string {
  return `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

/** Writes events to a ReadableStream's controller; silently drops writes once the client is gone. */
export interface SseWriter {
  send(e: StreamEvent): void;
  close(): void;
  readonly closed: boolean;
}

export function sseWriter(controller: ReadableStreamDefaultController<Uint8Array>): SseWriter {
  let closed = false;
  return {
    get closed() { return closed; },
    send(e) {
      if (closed) return;
      try { controller.enqueue(encoder.encode(sseFrame(e))); } catch { closed = true; }
    },
    close() {
      if (closed) return;
      closed = true;
      try { controller.close(); } catch { /* already errored by a disconnect */ }
    },
  };
}

/** Yields the `data:` payload of each event in an upstream SSE body (multi-line data joined by "\n"). */
export async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buf = "";
  let data: string[] = [];
  for await (const bytes of body) {
    buf += decoder.decode(bytes, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      let line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.endsWith("\r")) line = line.slice(0, -1);
      if (line === "") {
        if (data.length > 0) { yield data.join("\n"); data = []; }
      } else if (line.startsWith("data:")) {
        data.push(line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5));
      }
    }
  }
  if (data.length > 0) yield data.join("\n");
}
