// A raw HTTP client for the proxy over a real socket: collects the response, parses SSE, classifies the outcome.
import http from "node:http";

export interface RawResult { status: number; body: string; events: Array<{ event: string; data: any }> }

export function parseSse(text: string): RawResult["events"] {
  return text.split("\n\n").filter((b) => b.trim() !== "").map((b) => {
    const event = /^event: (.*)$/m.exec(b)?.[1] ?? "";
    const data = /^data: (.*)$/m.exec(b)?.[1];
    return { event, data: data === undefined ? undefined : JSON.parse(data) };
  });
}

/** POST JSON; rejects if no complete response within timeoutMs (a hang). */
export function postRaw(url: string, body: object, o: { timeoutMs?: number; agent?: http.Agent; headers?: Record<string, string> } = {}): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(url, { method: "POST", agent: o.agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload), ...o.headers } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => { text += d; });
      res.on("end", () => {
        clearTimeout(timer);
        const isSse = (res.headers["content-type"] ?? "").startsWith("text/event-stream");
        resolve({ status: res.statusCode ?? 0, body: text, events: isSse ? parseSse(text) : [] });
      });
      res.on("error", (e) => { clearTimeout(timer); reject(e); });
    });
    const timer = setTimeout(() => { req.destroy(); reject(new Error(`no complete response within ${o.timeoutMs} ms (hang)`)); }, o.timeoutMs ?? 10_000);
    req.on("error", (e) => { clearTimeout(timer); reject(e); });
    req.end(payload);
  });
}

export type Outcome = { kind: "message"; text: string; stop: string } | { kind: "error"; type: string } | { kind: "invalid"; why: string };

/** Every response must be a complete valid message (stream or JSON) or an Anthropic error (HTTP or event: error). */
export function classify(r: RawResult): Outcome {
  if (r.status >= 400) {
    try {
      const b = JSON.parse(r.body);
      if (b.type === "error" && typeof b.error?.type === "string" && typeof b.error?.message === "string") return { kind: "error", type: b.error.type };
    } catch { /* fall through */ }
    return { kind: "invalid", why: `HTTP ${r.status} without an Anthropic error body` };
  }
  if (r.events.length === 0) {
    try {
      const m = JSON.parse(r.body);
      if (m.type === "message" && Array.isArray(m.content)) return { kind: "message", text: m.content.filter((b: any) => b.type === "text").map((b: any) => b.text).join(""), stop: m.stop_reason };
    } catch { /* fall through */ }
    return { kind: "invalid", why: "200 without a message" };
  }
  const types = r.events.map((e) => e.event).filter((t) => t !== "ping");
  const last = r.events.at(-1)!;
  if (last.event === "error") {
    if (last.data?.type === "error" && typeof last.data.error?.type === "string") return { kind: "error", type: last.data.error.type };
    return { kind: "invalid", why: "malformed error event" };
  }
  if (types[0] !== "message_start" || types.at(-1) !== "message_stop" || types.at(-2) !== "message_delta") return { kind: "invalid", why: `bad event order ${types.join(",")}` };
  let open = -1;
  let text = "";
  for (const e of r.events) {
    if (e.event === "content_block_start") { if (open !== -1) return { kind: "invalid", why: "nested block" }; open = e.data.index; }
    if (e.event === "content_block_delta") { if (e.data.index !== open) return { kind: "invalid", why: "delta outside its block" }; if (e.data.delta.type === "text_delta") text += e.data.delta.text; }
    if (e.event === "content_block_stop") { if (e.data.index !== open) return { kind: "invalid", why: "stop of a block not open" }; open = -1; }
  }
  if (open !== -1) return { kind: "invalid", why: "unclosed block" };
  return { kind: "message", text, stop: r.events.find((e) => e.event === "message_delta")!.data.delta.stop_reason };
}
