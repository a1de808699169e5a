// POST /v1/messages straight on node:http: the route startProxy serves for every model request. The Hono app
// (routes/messages.ts postMessages) wraps the same handleMessages in web Request/Response objects, which cost more
// CPU per request than the translation (PERFORMANCE.md); here the body is read from the IncomingMessage and the
// answer written to the ServerResponse. Auth, request ids, errors and their log lines are the app's (gate.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import { authorize, errorReply, requestIdOf } from "../gate.ts";
import type { Runtime } from "../runtime.ts";
import { nodeSseWriter } from "../sse.ts";
import { encodeUtf8 } from "../utf8.ts";
import { checkDeclaredLength, parseJsonBody, tooLarge } from "./body.ts";
import { handleMessages } from "./messages.ts";

const PATH = "/v1/messages";

/** The exact route the Hono app gives postMessages (no trailing slash, any query string). */
export function isMessagesRoute(req: IncomingMessage): boolean {
  if (req.method !== "POST") return false;
  const url = req.url ?? "";
  return url.startsWith(PATH) && (url.length === PATH.length || url.charCodeAt(PATH.length) === 63 /* ? */);
}

/** The whole body, or request_too_large once more than maxBytes arrived (the rest is read and dropped, so that
 *  the connection stays usable for the error answer). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    req.on("data", (d: Buffer) => {
      n += d.length;
      if (n <= maxBytes) parts.push(d);
    });
    req.on("end", () => {
      if (n > maxBytes) reject(tooLarge(n, maxBytes));
      else resolve(parts.length === 1 ? parts[0] : Buffer.concat(parts, n));
    });
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) { res.end(); return; }
  const bytes = encodeUtf8(JSON.stringify(body));
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": bytes.length });
  res.end(bytes);
}

export async function serveMessages(rt: Runtime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const header = (name: string): string | undefined => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(", ") : v;
  };
  let requestId: string | undefined;
  try {
    requestId = requestIdOf(rt, header);
    authorize(rt, header);
    checkDeclaredLength(header("content-length"), rt.maxBodyBytes);
    const body = parseJsonBody(await readBody(req, rt.maxBodyBytes));
    const reply = await handleMessages({
      rt, requestId,
      // a response closed before it finished is a client that went away
      watchClient: (gone) => {
        const onClose = () => { if (!res.writableFinished) gone(); };
        res.on("close", onClose);
        return () => res.off("close", onClose);
      },
    }, body);
    if (reply.kind === "json") return sendJson(res, 200, reply.body);
    res.writeHead(200, reply.headers);
    const out = nodeSseWriter(res);
    try { await reply.run(out); } finally { out.close(); }
  } catch (err) {
    const r = errorReply(rt, err, requestId, PATH);
    sendJson(res, r.status, r.body);
  }
}
