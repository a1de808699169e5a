// Modal credentials come from the environment or ~/.modal.toml, never from stack inputs.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const MISSING_CREDENTIALS =
  "Modal credentials not found, so nothing was deployed.\n" +
  "  Run `modal token new` (with the project's venv: .venv/bin/modal token new) to create a token in ~/.modal.toml,\n" +
  "  or export MODAL_TOKEN_ID and MODAL_TOKEN_SECRET (from modal.com → Settings → API Tokens).";

/** undefined when credentials are present; the message to show otherwise. */
export function modalCredentialsProblem(env: NodeJS.ProcessEnv = process.env, home = homedir()): string | undefined {
  if (env.MODAL_TOKEN_ID && env.MODAL_TOKEN_SECRET) return undefined;
  if (env.MODAL_TOKEN_ID || env.MODAL_TOKEN_SECRET) return `Only one of MODAL_TOKEN_ID / MODAL_TOKEN_SECRET is set: set both.\n${MISSING_CREDENTIALS}`;
  const file = env.MODAL_CONFIG_PATH ?? join(home, ".modal.toml");
  if (existsSync(file) && /^\s*token_id\s*=/m.test(readFileSync(file, "utf8"))) return undefined;
  return MISSING_CREDENTIALS;
}
