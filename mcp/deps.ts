// Everything the server touches outside itself, passed in by mcp/main.ts (real) or by tests (stubs).
import type { ParsedConfig } from "./config.ts";

export interface ServerDeps {
  readonly config: ParsedConfig;
  readonly fetch: typeof fetch;
  readonly now: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Relative image paths start here. */
  readonly cwd: string;
  readonly home: string;
  readonly platform: NodeJS.Platform;
  /** Environment for screen-capture tools (PATH, DISPLAY, WAYLAND_DISPLAY…). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Diagnostics; stdout belongs to the protocol, so main.ts points this at stderr. */
  readonly log: (line: string) => void;
}
