#!/usr/bin/env node
// stdio entry of the vlm-analyzer MCP server (`vlm-mcp`). stdout carries JSON-RPC only; logs go to stderr.
import { homedir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { parseConfig } from "./config.ts";
import { createServer } from "./server.ts";
import { USAGE, wantsHelp } from "./usage.ts";

if (wantsHelp(process.argv.slice(2))) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const log = (line: string) => process.stderr.write(`[vlm-analyzer] ${line}\n`);
const config = parseConfig(process.env);
if (config.problem) log(config.problem); // reported again in every tool result
const { server, cleanup } = createServer({
  config,
  fetch: globalThis.fetch,
  now: () => performance.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }),
  cwd: process.cwd(),
  home: homedir(),
  platform: process.platform,
  env: process.env,
  log,
});

const shutdown = async () => {
  await cleanup().catch(() => undefined);
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
process.stdin.on("close", shutdown);
// Tool failures are isError results already; anything that still escapes is logged, never fatal to the session.
process.on("unhandledRejection", (err) => log(`unhandled rejection: ${err instanceof Error ? err.stack : String(err)}`));

await server.connect(new StdioServerTransport());
log(`ready: model ${config.config.model}, endpoint ${config.config.endpoint ?? "(unset)"}`);
