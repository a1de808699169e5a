// sera's cache of the stack's endpoint configs (runtime/sera/config-cache.ts endpointConfigs): a session
// whose stack file and validating code are unchanged takes the configs from the cache (and so never loads zod and
// yaml); any change to an input is a miss and a fresh read; a bad cache entry is ignored; nothing is cached for a
// stack without a file.
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configInputs, configKey, endpointConfigs, readCachedConfigs } from "../../runtime/sera/config-cache.ts";
import { readEndpointConfigs } from "../../runtime/sera/stack.ts";

const root = join(import.meta.dirname, "../..");
let project: string, cache: string;

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), "sera-cache-"));
  cpSync(join(root, "components"), join(project, "components"), { recursive: true, filter: (src) => !src.includes("__pycache__") });
  mkdirSync(join(project, "runtime", "sera"), { recursive: true });
  copyFileSync(join(root, "runtime/sera/stack.ts"), join(project, "runtime/sera/stack.ts"));
  copyFileSync(join(root, "package-lock.json"), join(project, "package-lock.json"));
  copyFileSync(join(root, "Pulumi.dev.yaml"), join(project, "Pulumi.t.yaml"));
  cache = join(project, "state", "cache");
});
afterEach(() => rmSync(project, { recursive: true, force: true }));

const entry = () => join(cache, "endpoint-config.t.json");

it("the first read is cached; the next run takes the cache (an entry under the current key is used as it is)", async () => {
  const fresh = readEndpointConfigs("t", project);
  expect(fresh.coder?.model).toBe("unsloth/Qwen3-Coder-Next-FP8-Dynamic");
  expect(await endpointConfigs("t", project, cache)).toEqual(fresh);
  const key = configKey("t", project)!;
  expect(readCachedConfigs(cache, "t", key)).toEqual(fresh);
  // the cache is what answers now: an entry edited under the same key comes back as it is
  const stored = JSON.parse(readFileSync(entry(), "utf8"));
  stored.configs.coder.model = "from-the-cache";
  writeFileSync(entry(), JSON.stringify(stored));
  expect((await endpointConfigs("t", project, cache)).coder?.model).toBe("from-the-cache");
});

it.each([
  ["the stack file", "Pulumi.t.yaml"],
  ["a component's code", "components/endpoint-args.ts"],
  ["vLLM's names", "components/vllm-names.json"],
  ["sera's stack reader", "runtime/sera/stack.ts"],
  ["the locked dependencies", "package-lock.json"],
])("a change to %s is a miss and a fresh read", async (_, file) => {
  await endpointConfigs("t", project, cache);
  const stored = JSON.parse(readFileSync(entry(), "utf8"));
  stored.configs.coder.model = "from-the-cache";
  writeFileSync(entry(), JSON.stringify(stored));
  expect(configInputs("t", project)).toContain(join(project, file));
  writeFileSync(join(project, file), readFileSync(join(project, file), "utf8") + "\n");
  expect((await endpointConfigs("t", project, cache)).coder?.model).toBe("unsloth/Qwen3-Coder-Next-FP8-Dynamic");
});

it("a problem in the stack file is found (and comes back the same from the cache)", async () => {
  writeFileSync(join(project, "Pulumi.t.yaml"), readFileSync(join(project, "Pulumi.t.yaml"), "utf8").replace(/gpu: H200/, "gpu: H9000"));
  const c = await endpointConfigs("t", project, cache);
  expect(c.coderProblem).toMatch(/coding-agent-server:coder\.gpu/);
  expect(await endpointConfigs("t", project, cache)).toEqual(c);
});

it("an unreadable or foreign cache entry is ignored", async () => {
  mkdirSync(cache, { recursive: true });
  for (const junk of ["{not json", JSON.stringify({ key: "other", configs: { coder: { model: "x" } } }), JSON.stringify({ key: configKey("t", project) })]) {
    writeFileSync(entry(), junk);
    expect((await endpointConfigs("t", project, cache)).coder?.model).toBe("unsloth/Qwen3-Coder-Next-FP8-Dynamic");
  }
});

it("a stack without its file: the problem, and nothing cached", async () => {
  const c = await endpointConfigs("nope", project, cache);
  expect(c.coderProblem).toBe(`stack "nope" has no ${join(project, "Pulumi.nope.yaml")}`);
  expect(c.seraProblem).toBe(c.coderProblem);
  expect(existsSync(join(cache, "endpoint-config.nope.json"))).toBe(false);
  expect(configKey("nope", project)).toBeUndefined();
});
