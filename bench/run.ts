// `npm run bench`: runs every bench/*.bench.ts in its own process (so peak RSS is per benchmark)
// and passes the arguments through (e.g. `npm run bench -- --faults`).
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.env.BENCH_ONLY; // e.g. BENCH_ONLY=proxy
const files = readdirSync(here).filter((f) => f.endsWith(".bench.ts") && (!only || f.startsWith(only))).sort();
let failed = 0;
for (const f of files) {
  console.log(`\n== ${f}`);
  const r = await execa(process.execPath, [join(here, f), ...process.argv.slice(2)], { stdio: "inherit", reject: false });
  if (r.exitCode !== 0) failed++;
}
process.exit(failed ? 1 : 0);
