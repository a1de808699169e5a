// The committed stack files as tests see them: without what a user's `npm run preview` / `npm run up` adds to
// the checkout (the passphrase provider's encryptionsalt, secrets encrypted with that user's passphrase), so a
// test never depends on, or tries to decrypt, the state of the checkout it runs in.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { PROJECT_DIR } from "../../components/stack-config.ts";

/** Keys of a Pulumi.<stack>.yaml that belong to a secrets provider's state, not to the stack's settings. */
export const SECRETS_PROVIDER_KEYS = ["encryptionsalt", "secretsprovider", "encryptedkey"] as const;

/** Pure: a stack file's text → the same settings without secrets-provider state and `secure:` values. */
export function withoutUserSecrets(text: string): { config: Record<string, unknown> } & Record<string, unknown> {
  const doc = (parse(text) ?? {}) as Record<string, unknown>;
  for (const k of SECRETS_PROVIDER_KEYS) delete doc[k];
  const config = Object.entries((doc.config ?? {}) as Record<string, unknown>).filter(([, v]) => !(v !== null && typeof v === "object" && "secure" in v));
  return { ...doc, config: Object.fromEntries(config) };
}

/** The text of Pulumi.<stack>.yaml for a test's own copy of the project (no secrets, no salt). */
export function stackFileForTests(stack = "dev", projectDir = PROJECT_DIR): string {
  return stringify(withoutUserSecrets(readFileSync(join(projectDir, `Pulumi.${stack}.yaml`), "utf8")));
}

/** The stack's config as the program sees it (pulumi.runtime.allConfig(): objects as JSON text). */
export function stackConfig(stack = "dev"): Record<string, string> {
  const { config } = withoutUserSecrets(readFileSync(join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8"));
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}
