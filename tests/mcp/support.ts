// Spawns the real stdio server (node mcp/main.ts) and connects the SDK's Client to it.
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { CallToolResultSchema, type CallToolResult, type Progress } from "@modelcontextprotocol/sdk/types.js";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const MAIN = join(REPO, "mcp", "bin.js"); // the entry the registration runs

export interface Spawned {
  readonly client: Client;
  /** The server's stderr so far. */
  stderr(): string;
  /** stdout lines that were not JSON-RPC (must stay empty). */
  readonly protocolErrors: Error[];
  close(): Promise<void>;
}

/** The environment the child gets: only what a client registration would pass, never the test's own env. */
export function serverEnv(extra: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root" };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export async function spawnServer(env: Record<string, string>, cwd = REPO): Promise<Spawned> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [MAIN], env, cwd, stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  const client = new Client({ name: "jest", version: "0.0.0" });
  const protocolErrors: Error[] = [];
  client.onerror = (err) => protocolErrors.push(err);
  await client.connect(transport);
  return {
    client,
    stderr: () => stderr,
    protocolErrors,
    close: () => client.close(),
  };
}

export interface CallOutcome {
  readonly result: CallToolResult;
  readonly progress: Progress[];
}

export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  opts: { timeoutMs?: number; withProgress?: boolean } = {},
): Promise<CallOutcome> {
  const progress: Progress[] = [];
  const result = (await client.callTool({ name, arguments: args }, CallToolResultSchema, {
    timeout: opts.timeoutMs ?? 20_000,
    ...(opts.withProgress ? { onprogress: (p: Progress) => progress.push(p), resetTimeoutOnProgress: true } : {}),
  })) as CallToolResult;
  return { result, progress };
}

export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === "text" ? c.text : `[${c.type}]`)).join("\n");
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
