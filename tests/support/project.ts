import { join } from "node:path";
import { PROJECT_DIR } from "../../components/stack-config.ts";

export const VENV_PYTHON = join(PROJECT_DIR, ".venv", "bin", "python");
export const FAKE_MODAL_DIR = join(PROJECT_DIR, "tests", "support", "fake-modal");

/** The caller's environment without PULUMI_*: a test sets its own backend, passphrase and home, never the user's. */
export function withoutPulumiEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith("PULUMI_")));
}
