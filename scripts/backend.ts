// The embedded default backend: a file backend inside the project (gitignored) with the passphrase secrets
// provider. PULUMI_BACKEND_URL switches to Pulumi Cloud, S3 or any other backend with no code change.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_DIR } from "../components/stack-config.ts";

export const LOCAL_DIR = join(PROJECT_DIR, ".pulumi-local");

/** Pure: which backend and passphrase env to use, given the caller's env. */
export function backendPlan(env: NodeJS.ProcessEnv, localDir = LOCAL_DIR): { env: Record<string, string>; local: boolean; passphraseFile?: string } {
  const out: Record<string, string> = {};
  const local = !env.PULUMI_BACKEND_URL;
  out.PULUMI_BACKEND_URL = env.PULUMI_BACKEND_URL ?? `file://${join(localDir, "state")}`;
  let passphraseFile: string | undefined;
  if (env.PULUMI_CONFIG_PASSPHRASE === undefined && !env.PULUMI_CONFIG_PASSPHRASE_FILE) {
    passphraseFile = join(localDir, "passphrase");
    out.PULUMI_CONFIG_PASSPHRASE_FILE = passphraseFile;
  }
  return { env: out, local, ...(passphraseFile ? { passphraseFile } : {}) };
}

/** Creates the state dir and a generated passphrase (mode 0600) when needed; returns env for pulumi. */
export function prepareBackend(env: NodeJS.ProcessEnv = process.env, localDir = LOCAL_DIR): Record<string, string> {
  const plan = backendPlan(env, localDir);
  if (plan.local) mkdirSync(join(localDir, "state"), { recursive: true, mode: 0o700 });
  if (plan.passphraseFile && !existsSync(plan.passphraseFile)) {
    mkdirSync(localDir, { recursive: true, mode: 0o700 });
    writeFileSync(plan.passphraseFile, randomBytes(24).toString("base64url") + "\n", { mode: 0o600 });
  }
  if (plan.passphraseFile) chmodSync(plan.passphraseFile, 0o600);
  return plan.env;
}
