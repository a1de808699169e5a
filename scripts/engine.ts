// `npm run engine`: makes pulumi, pulumi-language-nodejs and pulumi-resource-command available
// (see engine-lib.ts for the order) and prints their bin dir as the last line of stdout.
import { ensureEngine } from "./engine-lib.ts";

try {
  const engine = await ensureEngine();
  process.stderr.write(`engine: pulumi v${engine.version} at ${engine.pulumi}\n`);
  process.stdout.write(engine.binDir + "\n");
} catch (e) {
  process.stderr.write(`engine: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
