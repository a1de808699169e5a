// `npm run status -- [--stack NAME] [--check-keys] [--json]`: see runtime/status/main.ts. Runs with the project's
// engine and embedded backend (as `npm run up` does) and the venv's `modal` on PATH.
import { PROJECT_DIR } from "../components/stack-config.ts";
import { modalRunner } from "../runtime/status/modal-state.ts";
import { parseStatusOptions, status, USAGE } from "../runtime/status/main.ts";
import { pulumiSetup } from "./pulumi-env.ts";

const argv = process.argv.slice(2);
try {
  // bad options and --help need neither the engine nor the venv
  if (parseStatusOptions(argv).help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const { pulumi, env } = await pulumiSetup(process.env, { quiet: true });
  const code = await status(argv, {
    env,
    projectDir: PROJECT_DIR,
    locatePulumi: async () => ({ bin: pulumi, env }),
    runModal: modalRunner(env),
    out: (t) => process.stdout.write(`${t}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  });
  process.exit(code);
} catch (e) {
  process.stderr.write(`status: ${(e as Error).message}\n`);
  process.exit(2);
}
