// The dev stack's config as the program sees it (pulumi.runtime.allConfig(): objects as JSON text).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { PROJECT_DIR } from "../../components/stack-config.ts";

export function stackConfig(stack = "dev"): Record<string, string> {
  const doc = parse(readFileSync(join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  return Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}
