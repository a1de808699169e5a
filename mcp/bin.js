#!/usr/bin/env node
// Entry of the vlm-analyzer MCP server (`npx vlm-mcp`, and what the stack's vlmMcpServer registration runs): a
// process that lives as long as the agent session. Plain JavaScript for the reason sera's entry is (runtime/sera/bin.js):
// Node type-strips an entry .ts before its first line runs, which loads the TypeScript stripper (~12 MB of RSS for the
// whole session); with the compile cache on first, main.ts and its imports come stripped from the cache after one run.
import module from "node:module";

module.enableCompileCache?.();
await import("./main.ts");
