#!/usr/bin/env node
// Entry of `npx sera`: the only place that exits the process (with Claude Code's exit code, or 1/2 on errors).
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "./args.ts";
import { main } from "./main.ts";

const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

try {
  process.exitCode = await main(process.argv.slice(2), { env: { ...process.env }, projectDir });
} catch (error) {
  const usage = error instanceof UsageError;
  process.stderr.write(`sera: ${error instanceof Error ? error.message : String(error)}\n${usage ? "Run `sera --help` for usage.\n" : ""}`);
  process.exitCode = usage ? 2 : 1;
}
// Open handles (a lingering socket, a timer in a dependency) must not keep a finished session alive.
process.exit(process.exitCode ?? 0);
