// The settings migration judged by the REAL qwen-code 0.24.4: each input is written to a temporary HOME, the
// pinned `qwen` (node_modules/.bin) loads it offline (`qwen mcp list` runs qwen's loadSettings, which migrates
// and rewrites the user settings file), and the file qwen leaves must equal what migrateLikeQwen returns.
// The key tables are also compared with the ones bundled in qwen-code.
import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { migrateLikeQwen, V1_TO_V2_MIGRATION_MAP } from "../../runtime/install-qwen-code/migrate.ts";
import type { JsonObject } from "../../runtime/install-qwen-code/json-path.ts";
import { PROJECT_DIR } from "../../components/stack-config.ts";
import { main } from "../../runtime/install-qwen-code/main.ts";
import { execaRunner } from "../../runtime/install-qwen-code/process.ts";
import { defaultPulumiLocator } from "../../runtime/install-qwen-code/stack-outputs.ts";

const QWEN = join(PROJECT_DIR, "node_modules", ".bin", "qwen");
const QWEN_DIR = join(PROJECT_DIR, "node_modules", "@qwen-code", "qwen-code");

/** What qwen-code 0.24.4 leaves in ~/.qwen/settings.json after loading `input` (the parsed file). */
async function qwenMigrates(input: JsonObject): Promise<JsonObject> {
  const root = await mkdtemp(join(tmpdir(), "qwen-migrate-"));
  try {
    const home = join(root, "home");
    const work = join(root, "work");
    await mkdir(join(home, ".qwen"), { recursive: true });
    await mkdir(work);
    const file = join(home, ".qwen", "settings.json");
    await writeFile(file, JSON.stringify(input, null, 2));
    const env = { HOME: home, PATH: `${join(PROJECT_DIR, "node_modules", ".bin")}:/usr/bin:/bin`, NO_COLOR: "1" };
    const r = await execa(QWEN, ["mcp", "list"], { cwd: work, env, extendEnv: false, stdin: "ignore", reject: false, timeout: 60_000 });
    if (r.exitCode !== 0) throw new Error(`qwen mcp list exited ${r.exitCode}: ${r.stderr}`);
    return JSON.parse(await readFile(file, "utf8")) as JsonObject;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Two at a time: the machine has two cores. */
async function qwenMigratesAll(inputs: readonly JsonObject[]): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  for (let i = 0; i < inputs.length; i += 2) out.push(...(await Promise.all(inputs.slice(i, i + 2).map(qwenMigrates))));
  return out;
}

const CASES: Record<string, JsonObject> = {
  "flat V1 keys": {
    theme: "GitHub",
    model: "qwen3-coder-plus",
    selectedAuthType: "openai",
    usageStatisticsEnabled: true,
    vimMode: true,
    autoAccept: false,
    disableAutoUpdate: true,
    disableUpdateNag: false,
    disableLoadingPhrases: true,
    coreTools: ["read_file"],
    mcpServers: { fs: { command: "npx", args: ["-y", "server-filesystem"] } },
    telemetry: { enabled: true },
    myOwnKey: { nested: [1, 2] },
  },
  "flat keys mixed with nested containers": {
    ui: { hideBanner: true },
    theme: "Dracula",
    fileFiltering: { respectGitIgnore: false },
    disableFuzzySearch: true,
    general: { preferredEditor: "vim" },
    checkpointing: { enabled: true },
    contentGenerator: { timeout: 1000 },
    disableCacheControl: "yes",
  },
  "nested without $version": { ui: { theme: "GitHub" }, model: { name: "m" }, privacy: { usageStatisticsEnabled: false }, extra: 1 },
  "nested without $version, legacy gitCoAuthor": { general: { gitCoAuthor: "yes", vimMode: true } },
  "nested without $version, wrapped modelProviders (V5 shape)": {
    modelProviders: { openai: { protocol: "anthropic", models: [{ id: "a", name: "A" }] }, custom: { models: "x" } },
  },
  "$version 2 with disable* keys": { $version: 2, general: { disableAutoUpdate: "true", disableUpdateNag: 3 }, ui: { accessibility: { disableLoadingPhrases: false } } },
  "$version 3 with a boolean gitCoAuthor": { $version: 3, general: { gitCoAuthor: false } },
  "$version 1 with nothing to move": { $version: 1, ui: { theme: "GitHub" } },
  "$version as a string": { $version: "4", ui: { theme: "GitHub" } },
  "$version 5": { $version: 5, modelProviders: { openai: { models: [{ id: "m" }] } } },
  "empty object": {},
};

describe("qwen-code 0.24.4's settings migration", () => {
  it("uses the key tables bundled in qwen-code", async () => {
    const bundled = (await import(join(QWEN_DIR, "chunks", "chunk-BW4333PP.js"))) as { V1_TO_V2_MIGRATION_MAP: Record<string, string> };
    expect(V1_TO_V2_MIGRATION_MAP).toEqual(bundled.V1_TO_V2_MIGRATION_MAP);
  });

  it.each(Object.entries(CASES))("%s: the file real qwen writes equals migrateLikeQwen", async (_name, input) => {
    const [byQwen] = await qwenMigratesAll([input]);
    const ours = migrateLikeQwen(input);
    expect(ours.settings).toEqual(byQwen);
    expect(ours.changed).toBe(true);
    expect(ours.settings["$version"]).toBe(4);
  }, 60_000);

  it("moves flat keys to their nested places and keeps the user's own keys", () => {
    const { settings, steps } = migrateLikeQwen(CASES["flat V1 keys"]!);
    expect(steps).toEqual(["1 → 2 (flat keys → nested)", "2 → 3 (disable* → enable*)", "3 → 4 (general.gitCoAuthor → {commit, pr})"]);
    expect(settings).toMatchObject({
      ui: { theme: "GitHub", accessibility: { enableLoadingPhrases: false } },
      model: { name: "qwen3-coder-plus" },
      security: { auth: { selectedType: "openai" } },
      privacy: { usageStatisticsEnabled: true },
      general: { vimMode: true, enableAutoUpdate: false },
      tools: { autoAccept: false, core: ["read_file"] },
      myOwnKey: { nested: [1, 2] },
    });
    expect(Object.keys(settings)).not.toContain("theme");
  });

  it("leaves a $version 4 file alone, and a newer numeric version too (as qwen does)", async () => {
    const current = { $version: 4, ui: { theme: "GitHub" }, theme: "flat keys are ignored, not moved, in a V4 file" };
    expect(migrateLikeQwen(current)).toEqual({ settings: current, changed: false, steps: [], warnings: [] });
    const newer = { $version: 7, ui: { theme: "GitHub" } };
    const [byQwen] = await qwenMigratesAll([newer]);
    expect(byQwen).toEqual(newer);
    expect(migrateLikeQwen(newer).changed).toBe(false);
  }, 60_000);

  it("says what qwen drops", () => {
    const { warnings } = migrateLikeQwen(CASES["flat keys mixed with nested containers"]!);
    expect(warnings).toEqual([`Dropped 'disableCacheControl': "yes" is not a boolean (qwen-code migrates only boolean disableCacheControl values).`]);
    expect(migrateLikeQwen(CASES["$version 2 with disable* keys"]!).warnings).toEqual([
      "Removed deprecated setting 'general.disableUpdateNag' from user settings because the value is invalid. Expected boolean.",
    ]);
  });

  it("the installer's output from a flat file is one real qwen loads without rewriting", async () => {
    const root = await mkdtemp(join(tmpdir(), "qwen-migrate-install-"));
    try {
      const home = join(root, "home");
      await mkdir(join(home, ".qwen"), { recursive: true });
      await writeFile(join(home, ".qwen", "settings.json"), JSON.stringify(CASES["flat V1 keys"]));
      const outputs = join(root, "outputs.json");
      await writeFile(outputs, JSON.stringify({ coder: { baseUrl: "http://127.0.0.1:9/v1", model: "coder-model", apiKey: "sk-test" } }));
      const env = { HOME: home, PATH: `${join(PROJECT_DIR, "node_modules", ".bin")}:/usr/bin:/bin` };
      const lines: string[] = [];
      await main(["--outputs", outputs, "--no-install"], { env, projectDir: root, run: execaRunner, locatePulumi: defaultPulumiLocator(root, env), now: () => new Date(), log: (l) => lines.push(l) });
      const installed = JSON.parse(await readFile(join(home, ".qwen", "settings.json"), "utf8")) as JsonObject;
      expect(installed).toMatchObject({ $version: 4, ui: { theme: "GitHub" }, model: { name: "coder-model" } });
      expect(await qwenMigrates(installed)).toEqual(installed);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 60_000);

  it("agrees with real qwen on generated files (flat and nested keys, disable* values, versions)", async () => {
    const legacyKeys = [...Object.keys(V1_TO_V2_MIGRATION_MAP), "disableAutoUpdate", "disableUpdateNag", "disableLoadingPhrases", "disableFuzzySearch", "disableCacheControl"];
    const leaf = fc.oneof(fc.boolean(), fc.constantFrom("true", "false", "yes", "", "x"), fc.integer({ min: -2, max: 9 }), fc.constant(null), fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }));
    const value = fc.oneof(leaf, fc.dictionary(fc.constantFrom("enabled", "theme", "name", "gitCoAuthor", "disableAutoUpdate", "accessibility", "mine"), leaf, { maxKeys: 3 }));
    const key = fc.oneof(fc.constantFrom(...legacyKeys), fc.constantFrom("ui", "general", "model", "tools", "context", "privacy", "modelProviders", "mine"));
    const settings = fc
      .tuple(fc.dictionary(key, value, { maxKeys: 6 }), fc.option(fc.constantFrom<unknown>(1, 2, 3, 5, "2"), { nil: undefined }))
      .map(([s, version]) => (version === undefined ? s : { ...s, $version: version }) as JsonObject);
    const inputs = fc.sample(settings, { numRuns: 24, seed: 20261204 });
    const byQwen = await qwenMigratesAll(inputs);
    inputs.forEach((input, i) => expect({ input, migrated: migrateLikeQwen(input).settings }).toEqual({ input, migrated: byQwen[i] }));
  }, 180_000);
});
