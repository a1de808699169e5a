// The vlm-analyzer registration as Claude Code's --mcp-config file. Its env holds the VLM's API key (and Modal proxy
// tokens), so it lives in a fresh private directory (0700, file 0600) for the session and is removed afterwards.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MCP_SERVER_NAME } from "../install-qwen-code/desired.ts";
import type { McpServerRegistration } from "./settings.ts";

export interface McpConfigFile {
  readonly path: string;
  remove(): Promise<void>;
}

/** Pure: Claude Code's MCP config ({"mcpServers": {name: {type: "stdio", command, args, env}}}). */
export function mcpConfigJson(server: McpServerRegistration): string {
  return JSON.stringify({ mcpServers: { [MCP_SERVER_NAME]: { type: "stdio", command: server.command, args: server.args, env: server.env } } }, null, 2);
}

export async function writeMcpConfig(server: McpServerRegistration, dir = tmpdir()): Promise<McpConfigFile> {
  const home = await mkdtemp(join(dir, "sera-mcp-"));
  const path = join(home, "mcp.json");
  await writeFile(path, mcpConfigJson(server) + "\n", { mode: 0o600 });
  return { path, remove: () => rm(home, { recursive: true, force: true }) };
}
