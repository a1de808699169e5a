// The stack's endpoint configs as sera last validated them, so that a session whose Pulumi.<stack>.yaml and
// validating code have not changed does not load zod, yaml and the config schema at all: they would stay in the
// session-long process (~20 MB of its idle RSS, runtime/proxy/PERFORMANCE.md, fourth pass). The key is a hash of
// everything the result depends on: the stack file, the code that reads it (components/*.ts and vllm-names.json,
// runtime/sera/stack.ts) and the locked dependency versions (package-lock.json); the result, problems included, follows
// from those alone. No secrets: secure values never leave the stack file (stack-config.ts).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { missingStackFile, stackFile } from "../../components/project.ts";
import type { EndpointConfigs } from "./stack.ts";

/** Files whose content decides what readEndpointConfigs returns for a stack. */
export function configInputs(stack: string, projectDir: string): string[] {
  const components = join(projectDir, "components");
  const code = readdirSync(components).filter((f) => f.endsWith(".ts") || f.endsWith(".json")).sort().map((f) => join(components, f));
  return [stackFile(stack, projectDir), ...code, join(projectDir, "runtime", "sera", "stack.ts"), join(projectDir, "package-lock.json")];
}

/** The cache key, or undefined when an input cannot be read (then nothing is cached). */
export function configKey(stack: string, projectDir: string): string | undefined {
  const h = createHash("sha256");
  try {
    for (const f of configInputs(stack, projectDir)) {
      h.update(f).update("\0").update(readFileSync(f)).update("\0");
    }
  } catch {
    return undefined;
  }
  return h.digest("hex");
}

function entry(dir: string, stack: string): string {
  return join(dir, `endpoint-config.${stack.replace(/[^A-Za-z0-9._-]/g, "_")}.json`);
}

/** The configs cached under this key, or undefined (none, another key, unreadable). */
export function readCachedConfigs(dir: string, stack: string, key: string): EndpointConfigs | undefined {
  try {
    const c = JSON.parse(readFileSync(entry(dir, stack), "utf8")) as { key?: unknown; configs?: EndpointConfigs };
    return c.key === key && c.configs && typeof c.configs === "object" ? c.configs : undefined;
  } catch {
    return undefined;
  }
}

/** Written atomically; errors are ignored (the cache only saves work). */
export function writeCachedConfigs(dir: string, stack: string, key: string, configs: EndpointConfigs): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = entry(dir, stack);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ key, configs }), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    /* not cached */
  }
}

/** The stack's endpoint configs: from the cache when its key matches, else read through stack.ts (and cached). */
export async function endpointConfigs(stack: string, projectDir: string, cacheDir: string): Promise<EndpointConfigs> {
  if (!existsSync(stackFile(stack, projectDir))) {
    const missing = missingStackFile(stack, projectDir);
    return { seraProblem: missing, coderProblem: missing };
  }
  const key = configKey(stack, projectDir);
  const cached = key === undefined ? undefined : readCachedConfigs(cacheDir, stack, key);
  if (cached) return cached;
  const c = (await import("./stack.ts")).readEndpointConfigs(stack, projectDir);
  // kept only if no input changed while it was read
  if (key !== undefined && configKey(stack, projectDir) === key) writeCachedConfigs(cacheDir, stack, key, c);
  return c;
}
