// Structured logging through an injected sink: one JSON object per event, never a secret
// (no headers, no bodies, no keys — only ids, sizes, statuses and timings).
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
}

export const silentLogger: Logger = { log() {} };

/** JSON lines to a writable (a file stream, process.stderr). */
export function jsonLogger(write: (line: string) => void, minLevel: LogLevel = "info"): Logger {
  const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  return {
    log(level, msg, fields) {
      if (order[level] < order[minLevel]) return;
      write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + "\n");
    },
  };
}
