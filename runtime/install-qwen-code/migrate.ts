// qwen-code 0.24.4's settings-file migration, ported so the installer takes every file qwen itself takes
// (pure). Source: node_modules/@qwen-code/qwen-code/chunks/chunk-LYEINKJD.js (packages/cli/src/config/
// settings.ts loadAndMigrate, migration/index.ts, migration/versions/v1-to-v2.ts … v5-to-v4.ts) and
// chunk-BW4333PP.js (v1-to-v2-shared.ts: the key tables below). The order of the steps and every table
// are qwen's; tests/install-qwen-code/migrate.test.ts runs the real qwen on the same input and compares.
import { isObject } from "./json-path.ts";
import type { JsonObject } from "./json-path.ts";

/** The format qwen-code 0.24.4 reads and writes (settings.ts SETTINGS_VERSION). */
export const QWEN_SETTINGS_VERSION = 4;

/** V1 (flat) key → V2 (nested) path. */
export const V1_TO_V2_MIGRATION_MAP: Readonly<Record<string, string>> = {
  accessibility: "ui.accessibility",
  allowedTools: "tools.allowed",
  allowMCPServers: "mcp.allowed",
  autoAccept: "tools.autoAccept",
  autoConfigureMaxOldSpaceSize: "advanced.autoConfigureMemory",
  bugCommand: "advanced.bugCommand",
  chatCompression: "model.chatCompression",
  checkpointing: "general.checkpointing",
  coreTools: "tools.core",
  contextFileName: "context.fileName",
  customThemes: "ui.customThemes",
  customWittyPhrases: "ui.customWittyPhrases",
  debugKeystrokeLogging: "general.debugKeystrokeLogging",
  dnsResolutionOrder: "advanced.dnsResolutionOrder",
  enforcedAuthType: "security.auth.enforcedType",
  excludeTools: "tools.exclude",
  excludeMCPServers: "mcp.excluded",
  excludedProjectEnvVars: "advanced.excludedEnvVars",
  extensions: "extensions",
  fileFiltering: "context.fileFiltering",
  folderTrustFeature: "security.folderTrust.featureEnabled",
  folderTrust: "security.folderTrust.enabled",
  hasSeenIdeIntegrationNudge: "ide.hasSeenNudge",
  hideWindowTitle: "ui.hideWindowTitle",
  showStatusInTitle: "ui.showStatusInTitle",
  hideTips: "ui.hideTips",
  showLineNumbers: "ui.showLineNumbers",
  showCitations: "ui.showCitations",
  ideMode: "ide.enabled",
  includeDirectories: "context.includeDirectories",
  loadMemoryFromIncludeDirectories: "context.loadFromIncludeDirectories",
  maxSessionTurns: "model.maxSessionTurns",
  mcpServers: "mcpServers",
  mcpServerCommand: "mcp.serverCommand",
  memoryImportFormat: "context.importFormat",
  model: "model.name",
  preferredEditor: "general.preferredEditor",
  sandbox: "tools.sandbox",
  selectedAuthType: "security.auth.selectedType",
  shouldUseNodePtyShell: "tools.shell.enableInteractiveShell",
  shellPager: "tools.shell.pager",
  shellShowColor: "tools.shell.showColor",
  skipNextSpeakerCheck: "model.skipNextSpeakerCheck",
  telemetry: "telemetry",
  theme: "ui.theme",
  toolDiscoveryCommand: "tools.discoveryCommand",
  toolCallCommand: "tools.callCommand",
  usageStatisticsEnabled: "privacy.usageStatisticsEnabled",
  useExternalAuth: "security.auth.useExternal",
  useRipgrep: "tools.useRipgrep",
  vimMode: "general.vimMode",
  enableWelcomeBack: "ui.enableWelcomeBack",
  approvalMode: "tools.approvalMode",
  sessionTokenLimit: "model.sessionTokenLimit",
  contentGenerator: "model.generationConfig",
  skipLoopDetection: "model.skipLoopDetection",
  skipStartupContext: "model.skipStartupContext",
  enableOpenAILogging: "model.enableOpenAILogging",
  tavilyApiKey: "advanced.tavilyApiKey",
};

/** Top-level keys that are already V2 containers when they hold an object. */
const V2_CONTAINER_KEYS: ReadonlySet<string> = new Set(["ui", "tools", "mcp", "advanced", "model", "general", "context", "security", "ide", "privacy", "telemetry", "extensions"]);

/** V1 disable* keys, moved as they are (V2→V3 then turns them into enable* keys). */
const V1_TO_V2_PRESERVE_DISABLE_MAP: Readonly<Record<string, string>> = {
  disableAutoUpdate: "general.disableAutoUpdate",
  disableUpdateNag: "general.disableUpdateNag",
  disableLoadingPhrases: "ui.accessibility.disableLoadingPhrases",
  disableFuzzySearch: "context.fileFiltering.disableFuzzySearch",
  disableCacheControl: "model.generationConfig.disableCacheControl",
};
const CONSOLIDATED_DISABLE_KEYS: ReadonlySet<string> = new Set(["disableAutoUpdate", "disableUpdateNag"]);

/** Keys whose flat (non-object) value marks a V1 file: every map key except extensions, mcpServers, telemetry. */
const V1_INDICATOR_KEYS: readonly string[] = [
  ...Object.keys(V1_TO_V2_MIGRATION_MAP).filter((k) => !["extensions", "mcpServers", "telemetry"].includes(k)),
  ...Object.keys(V1_TO_V2_PRESERVE_DISABLE_MAP),
];

const V2_TO_V3_BOOLEAN_MAP: Readonly<Record<string, string>> = {
  "general.disableAutoUpdate": "general.enableAutoUpdate",
  "general.disableUpdateNag": "general.enableAutoUpdate",
  "ui.accessibility.disableLoadingPhrases": "ui.accessibility.enableLoadingPhrases",
  "context.fileFiltering.disableFuzzySearch": "context.fileFiltering.enableFuzzySearch",
  "model.generationConfig.disableCacheControl": "model.generationConfig.enableCacheControl",
};
const CONSOLIDATED_V2_PATHS: Readonly<Record<string, readonly string[]>> = {
  "general.enableAutoUpdate": ["general.disableAutoUpdate", "general.disableUpdateNag"],
};
const GIT_CO_AUTHOR_PATH = "general.gitCoAuthor";
/** V5 provider keys → the protocol V4 derives from the key. */
const PROVIDER_KEY_TO_PROTOCOL: Readonly<Record<string, string>> = { openai: "openai", "qwen-oauth": "qwen-oauth", gemini: "gemini", "vertex-ai": "gemini", anthropic: "anthropic" };

type Obj = Record<string, unknown>;
const isPlainObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

// qwen's settingsUtils helpers, dotted paths, same semantics (`in` for lookups, no prototype-polluting keys).
function getNested(obj: Obj, path: string): unknown {
  const walk = (node: Obj, [first, ...rest]: string[]): unknown => {
    if (!first || !(first in node)) return undefined;
    const value = node[first];
    if (rest.length === 0) return value;
    return value && typeof value === "object" ? walk(value as Obj, rest) : undefined;
  };
  return walk(obj, path.split("."));
}
function setNested(obj: Obj, path: string, value: unknown): void {
  const keys = path.split(".");
  if (keys.some((k) => k === "__proto__" || k === "constructor" || k === "prototype")) return;
  const last = keys.pop();
  if (!last) return;
  let node = obj;
  for (const key of keys) {
    if (node[key] === undefined) node[key] = {};
    const next = node[key];
    if (typeof next !== "object" || next === null) return;
    node = next as Obj;
  }
  node[last] = value;
}
function deleteNested(obj: Obj, path: string): void {
  const keys = path.split(".");
  const last = keys.pop();
  if (!last) return;
  let node = obj;
  for (const key of keys) {
    const next = node[key];
    if (typeof next !== "object" || next === null) return;
    node = next as Obj;
  }
  delete node[last];
}

interface Migration {
  readonly name: string;
  shouldMigrate(s: Obj): boolean;
  migrate(s: Obj, warnings: string[]): Obj;
}

const v1ToV2: Migration = {
  name: "1 → 2 (flat keys → nested)",
  shouldMigrate(s) {
    const version = s["$version"];
    if (typeof version === "number" && version >= 2) return false;
    return V1_INDICATOR_KEYS.some((key) => key in s && !isPlainObject(s[key]));
  },
  migrate(source, warnings) {
    const result: Obj = {};
    const processed = new Set<string>();
    for (const [v1Key, v2Path] of Object.entries(V1_TO_V2_MIGRATION_MAP)) {
      if (!(v1Key in source)) continue;
      const value = source[v1Key];
      if (V2_CONTAINER_KEYS.has(v1Key) && isPlainObject(value)) {
        result[v1Key] = value;
      } else if (isPlainObject(value) && v2Path.startsWith(`${v1Key}.`)) {
        for (const [k, v] of Object.entries(value)) setNested(result, `${v2Path}.${k}`, v);
      } else {
        setNested(result, v2Path, value);
      }
      processed.add(v1Key);
    }
    for (const [v1Key, v2Path] of Object.entries(V1_TO_V2_PRESERVE_DISABLE_MAP)) {
      if (!(v1Key in source)) continue;
      const value = source[v1Key];
      if (CONSOLIDATED_DISABLE_KEYS.has(v1Key)) setNested(result, v2Path, value === true);
      else if (typeof value === "boolean") setNested(result, v2Path, value);
      // qwen drops it without a word; say so (the backup keeps it)
      else warnings.push(`Dropped '${v1Key}': ${JSON.stringify(value)} is not a boolean (qwen-code migrates only boolean ${v1Key} values).`);
      processed.add(v1Key);
    }
    if ("mcpServers" in source) {
      result["mcpServers"] = source["mcpServers"];
      processed.add("mcpServers");
    }
    const targetOf = (k: string) => V1_TO_V2_MIGRATION_MAP[k] || V1_TO_V2_PRESERVE_DISABLE_MAP[k];
    for (const key of Object.keys(source)) {
      if (processed.has(key)) continue;
      const isParent = [...processed].some((p) => targetOf(p)?.startsWith(`${key}.`));
      const existing = source[key];
      if (isParent && isPlainObject(existing)) {
        for (const [k, v] of Object.entries(existing)) {
          const full = `${key}.${k}`;
          if (![...processed].some((p) => targetOf(p) === full)) setNested(result, full, v);
        }
      } else {
        result[key] = existing;
      }
    }
    result["$version"] = 2;
    return result;
  },
};

type Normalized = { present: false } | { present: true; valid: false } | { present: true; valid: true; value: boolean };
function normalizeDisable(value: unknown): Normalized {
  if (value === undefined) return { present: false };
  if (typeof value === "boolean") return { present: true, valid: true, value };
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    if (v === "true" || v === "false") return { present: true, valid: true, value: v === "true" };
  }
  return { present: true, valid: false };
}

const v2ToV3: Migration = {
  name: "2 → 3 (disable* → enable*)",
  shouldMigrate: (s) => s["$version"] === 2,
  migrate(settings, warnings) {
    const result = structuredClone(settings);
    const processed = new Set<string>();
    for (const [newPath, oldPaths] of Object.entries(CONSOLIDATED_V2_PATHS)) {
      let anyDisable = false;
      let anyBoolean = false;
      for (const oldPath of oldPaths) {
        const n = normalizeDisable(getNested(result, oldPath));
        if (!n.present) continue;
        deleteNested(result, oldPath);
        processed.add(oldPath);
        if (n.valid) {
          anyBoolean = true;
          if (n.value) anyDisable = true;
        } else {
          warnings.push(`Removed deprecated setting '${oldPath}' from user settings because the value is invalid. Expected boolean.`);
        }
      }
      if (anyBoolean) setNested(result, newPath, !anyDisable);
    }
    for (const [oldPath, newPath] of Object.entries(V2_TO_V3_BOOLEAN_MAP)) {
      if (processed.has(oldPath)) continue;
      const n = normalizeDisable(getNested(result, oldPath));
      if (!n.present) continue;
      deleteNested(result, oldPath);
      if (n.valid) setNested(result, newPath, !n.value);
      else warnings.push(`Removed deprecated setting '${oldPath}' from user settings because the value is invalid. Expected boolean or string "true"/"false".`);
    }
    result["$version"] = 3;
    return result;
  },
};

const v3ToV4: Migration = {
  name: "3 → 4 (general.gitCoAuthor → {commit, pr})",
  shouldMigrate(s) {
    if (s["$version"] === 3) return true;
    if (s["$version"] !== undefined) return false;
    const value = getNested(s, GIT_CO_AUTHOR_PATH);
    return value !== undefined && !isPlainObject(value);
  },
  migrate(settings, warnings) {
    const result = structuredClone(settings);
    const value = getNested(result, GIT_CO_AUTHOR_PATH);
    const both = (on: boolean) => setNested(result, GIT_CO_AUTHOR_PATH, { commit: on, pr: on });
    if (typeof value === "boolean") {
      both(value);
    } else if (typeof value === "string") {
      const v = value.trim().toLowerCase();
      if (["true", "yes", "on", "1", "enabled"].includes(v)) both(true);
      else {
        both(false);
        if (!["false", "no", "off", "0", "disabled", ""].includes(v)) {
          warnings.push(`Reset '${GIT_CO_AUTHOR_PATH}' in user settings to {commit: false, pr: false} because the stored string '${value}' was not a recognized boolean form.`);
        }
      }
    } else if (value !== undefined && !isPlainObject(value)) {
      both(false);
      warnings.push(`Reset '${GIT_CO_AUTHOR_PATH}' in user settings to {commit: false, pr: false} because the stored value was not a boolean or object.`);
    }
    result["$version"] = 4;
    return result;
  },
};

const v5ToV4: Migration = {
  name: "5 → 4 (wrapped modelProviders → arrays)",
  shouldMigrate(s) {
    if (s["$version"] === 5) return true;
    if (s["$version"] !== undefined) return false;
    const providers = s["modelProviders"];
    return typeof providers === "object" && providers !== null && Object.values(providers).some(isPlainObject);
  },
  migrate(settings, warnings) {
    const result = structuredClone(settings);
    const providers = result["modelProviders"];
    if (typeof providers === "object" && providers !== null) {
      for (const [key, value] of Object.entries(providers as Obj)) {
        if (!isPlainObject(value)) continue;
        const derived = Object.hasOwn(PROVIDER_KEY_TO_PROTOCOL, key) ? PROVIDER_KEY_TO_PROTOCOL[key] : undefined;
        if (typeof value["protocol"] === "string" && derived !== undefined && value["protocol"] !== derived) {
          warnings.push(`Provider "${key}" declared protocol "${value["protocol"]}", but V4 derives protocol "${derived}" from the provider key. The explicit protocol has been dropped.`);
        }
        (providers as Obj)[key] = Array.isArray(value["models"]) ? value["models"] : [];
      }
    }
    result["$version"] = 4;
    return result;
  },
};

/** qwen's CONVERGENCE_MIGRATIONS, run in this order, each deciding from the output of the one before. */
const MIGRATIONS: readonly Migration[] = [v1ToV2, v2ToV3, v3ToV4, v5ToV4];

export interface MigrationResult {
  readonly settings: JsonObject;
  /** False when the file was already in qwen-code 0.24.4's format: nothing to write. */
  readonly changed: boolean;
  /** The steps that ran, e.g. "1 → 2 (flat keys → nested)"; "$version stamped 4" when only the version was set. */
  readonly steps: string[];
  /** qwen's own warnings (values it had to drop or reset). */
  readonly warnings: string[];
}

/**
 * What qwen-code 0.24.4 writes back when it loads `raw` as the user settings (loadAndMigrate): the applicable
 * migrations, or else the `$version` normalised to 4 when it is missing, not a number, or older. A numeric
 * version newer than 5 is left alone, as qwen leaves it.
 */
export function migrateLikeQwen(raw: JsonObject): MigrationResult {
  const version = raw["$version"];
  const hasVersion = "$version" in raw;
  const invalidVersion = hasVersion && typeof version !== "number";
  const olderVersion = typeof version === "number" && version < QWEN_SETTINGS_VERSION;
  const needs = version === QWEN_SETTINGS_VERSION ? false : MIGRATIONS.some((m) => m.shouldMigrate(raw));
  if (needs) {
    let current: Obj = raw;
    const steps: string[] = [];
    const warnings: string[] = [];
    for (const m of MIGRATIONS) {
      if (!m.shouldMigrate(current)) continue;
      current = m.migrate(current, warnings);
      steps.push(m.name);
    }
    if (steps.length > 0) return { settings: current, changed: true, steps, warnings };
  }
  if (!hasVersion || invalidVersion || olderVersion) {
    return { settings: { ...raw, $version: QWEN_SETTINGS_VERSION }, changed: true, steps: [`$version stamped ${QWEN_SETTINGS_VERSION}`], warnings: [] };
  }
  return { settings: raw, changed: false, steps: [], warnings: [] };
}

export { isObject };
