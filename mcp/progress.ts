// MCP progress notifications for one tool call. Clients time out after 60 s by default unless progress keeps
// arriving (resetTimeoutOnProgress), and a Thinking model on a cold endpoint takes longer than that, so a
// heartbeat goes out every interval while we wait, plus one line per step or retry.
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface Progress {
  step(message: string): void;
  /** Sends `message(elapsedSeconds)` every interval until stopped. */
  heartbeat(message: (elapsedS: number) => string): void;
  stop(): void;
}

export function startProgress(extra: ToolExtra, intervalMs: number, now: () => number, log: (l: string) => void): Progress {
  const token = extra._meta?.progressToken;
  let count = 0;
  let timer: NodeJS.Timeout | undefined;
  const started = now();
  const send = (message: string) => {
    if (token === undefined) return;
    count += 1; // progress must increase with every notification
    extra
      .sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: count, message } })
      .catch((err: unknown) => log(`progress notification failed: ${String(err)}`));
  };
  return {
    step: send,
    heartbeat(message) {
      if (token === undefined || timer) return;
      timer = setInterval(() => send(message(Math.round((now() - started) / 1000))), intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
