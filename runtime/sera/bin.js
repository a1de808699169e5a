#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=8 --heap-growing-percent=50
// Entry of `npx sera`: the only place that exits the process (with Claude Code's exit code, or 1/2 on errors).
// Plain JavaScript on purpose: Node strips the types of an entry .ts file before any of its code runs, so the
// compile cache below could not cover it, and stripping loads amaro (swc as wasm): ~15 MB of RSS for the whole
// session (PERFORMANCE.md, third pass). Everything else stays TypeScript, imported once the cache is on.
// The first line is for the proxy that runs in this process (PERFORMANCE.md, fifth pass, has the measurements):
// - --max-semi-space-size=8: V8's young generation may otherwise grow to 2 × 64 MB under load, for no CPU gain at the
//   proxy's allocation pattern (peak RSS −100 MB);
// - --heap-growing-percent=50: the old generation grows by half its live size before a full GC, not up to 4×; with
//   little promoted per request this costs no CPU at concurrency 1–16 and keeps the peak at 64 down;
// - MALLOC_ARENA_MAX=2: V8's compiler and GC threads share glibc's arenas instead of keeping one each (−5–10 MB at
//   the peak). The processes sera starts (Claude Code) inherit it, which is harmless for them.
// V8 reads its flags only at start, so they live in the line that starts node (`npx sera` runs this file through it).
import module from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// The proxy lives in this process for the whole session. Node's compile cache (NODE_COMPILE_CACHE, else
// <tmpdir>/node-compile-cache) keeps the type-stripped sources and their bytecode, so after the first run no
// TypeScript is stripped and startup is faster. It must be on before the first .ts import, hence the dynamic imports.
module.enableCompileCache?.();
const { UsageError } = await import("./args.ts");
const { main } = await import("./main.ts");

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
