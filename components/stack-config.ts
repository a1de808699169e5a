// The stack's configuration, validated in one place. The Pulumi program reads it through pulumi's config;
// `sera --modal` and other local tools read the same Pulumi.<stack>.yaml through loadStackEndpointConfig.
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { ConfigError, parseEndpointConfig, type EndpointConfig } from "./endpoint-args.ts";
import { missingStackFile, PROJECT, PROJECT_DIR, stackFile } from "./project.ts";

export { PROJECT, PROJECT_DIR } from "./project.ts";

export const ENDPOINT_KEYS = ["coder", "vlm", "sera"] as const;
export type EndpointRole = (typeof ENDPOINT_KEYS)[number];
/** secret keys: `pulumi config set --secret <key> …` */
export const SECRET_KEYS = ["coderApiKey", "vlmApiKey", "seraApiKey", "modalProxyTokenId", "modalProxyTokenSecret"] as const;
const PLAIN_KEYS = ["vlmTimeoutSeconds"] as const;
const KNOWN = new Set<string>([...ENDPOINT_KEYS, ...SECRET_KEYS, ...PLAIN_KEYS]);

export interface StackEndpoints {
  readonly coder: EndpointConfig;
  readonly vlm: EndpointConfig;
  /** undefined unless configured and enabled */
  readonly sera?: EndpointConfig;
  /** the SERA settings even while disabled (`sera --modal` deploys them on demand) */
  readonly seraConfigured?: EndpointConfig;
  readonly vlmTimeoutSeconds?: number;
}

/**
 * Validates the project's config namespace. `all` maps "project:key" to the raw value (objects as JSON text,
 * as pulumi.runtime.allConfig() gives them). Every problem is reported at once, each naming its key.
 */
export function parseStackConfig(all: Readonly<Record<string, unknown>>, project = PROJECT): StackEndpoints {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [fullKey, raw] of Object.entries(all)) {
    const [ns, ...rest] = fullKey.split(":");
    if (ns !== project) continue;
    const key = rest.join(":");
    if (!KNOWN.has(key)) {
      problems.push(`${fullKey}: unknown key (known: ${[...KNOWN].join(", ")})`);
      continue;
    }
    values[key] = typeof raw === "string" && (ENDPOINT_KEYS as readonly string[]).includes(key) ? safeJson(raw) : raw;
  }
  const endpoint = (role: EndpointRole, required: boolean): EndpointConfig | undefined => {
    const raw = values[role];
    if (raw === undefined) {
      if (required) problems.push(`${project}:${role}: missing (the ${role} endpoint must be configured)`);
      return undefined;
    }
    try {
      return parseEndpointConfig(`${project}:${role}`, raw);
    } catch (e) {
      problems.push(...(e as Error).message.split("\n").slice(1).map((l) => l.trim()));
      return undefined;
    }
  };
  const coder = endpoint("coder", true);
  const vlm = endpoint("vlm", true);
  const sera = endpoint("sera", false);
  let vlmTimeoutSeconds: number | undefined;
  if (values.vlmTimeoutSeconds !== undefined) {
    vlmTimeoutSeconds = Number(values.vlmTimeoutSeconds);
    if (!Number.isInteger(vlmTimeoutSeconds) || vlmTimeoutSeconds <= 0) problems.push(`${project}:vlmTimeoutSeconds: must be a positive integer number of seconds`);
  }
  if (problems.length || !coder || !vlm) throw new ConfigError(`invalid configuration:\n  ${problems.join("\n  ")}`);
  return { coder, vlm, ...(sera && sera.enabled !== false ? { sera } : {}), ...(sera ? { seraConfigured: sera } : {}), ...(vlmTimeoutSeconds ? { vlmTimeoutSeconds } : {}) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Reads Pulumi.<stack>.yaml directly (no engine needed): the endpoint settings local tools deploy from. */
export function loadStackEndpointConfig(stack: string, projectDir = PROJECT_DIR): StackEndpoints {
  let text: string;
  try {
    text = readFileSync(stackFile(stack, projectDir), "utf8");
  } catch {
    throw new ConfigError(missingStackFile(stack, projectDir));
  }
  const doc = (parseYaml(text) ?? {}) as { config?: Record<string, unknown> };
  const config = doc.config ?? {};
  // secure values stay encrypted in the file; local tools get keys from env or stack outputs instead
  const plain = Object.fromEntries(Object.entries(config).filter(([, v]) => !(v && typeof v === "object" && "secure" in (v as object))));
  return parseStackConfig(plain);
}
