// Stack outputs validation, the desired entries derived from them, and the option parser.
import { describe, expect, it } from "@jest/globals";
import { parseStackOutputs, OutputsError } from "../../runtime/install-qwen-code/outputs.ts";
import { desiredEntries, mcpTimeoutMs, modalProxyFrom, NO_KEY, CODER_KEY_ENV } from "../../runtime/install-qwen-code/desired.ts";
import { parseOptions, UsageError } from "../../runtime/install-qwen-code/args.ts";
import { getAt, setAt } from "../../runtime/install-qwen-code/json-path.ts";

const devOutputs = {
  coder: { baseUrl: "https://ws--coder-serve.modal.run/v1/", model: "unsloth/Qwen3-Coder-Next-FP8-Dynamic", apiKey: "sk-c" },
  vlm: { baseUrl: "https://ws--vlm-serve.modal.run/v1", model: "Qwen/Qwen3-VL-32B-Thinking-FP8", maxImagesPerPrompt: 5 },
  vlmMcpServer: { command: "/n/node", args: ["/r/mcp/main.ts"], env: { VLM_ENDPOINT: "https://ws--vlm-serve.modal.run/v1", VLM_TIMEOUT: "600" } },
  sera: { baseUrl: "https://ws--sera-serve.modal.run/v1", model: "allenai/SERA-32B", apiKey: "k" },
};

const problemsOf = (raw: unknown): string => {
  try {
    parseStackOutputs(raw, "outputs.json");
  } catch (error) {
    expect(error).toBeInstanceOf(OutputsError);
    return (error as Error).message;
  }
  throw new Error("expected the outputs to be rejected");
};

describe("parseStackOutputs", () => {
  it("accepts the dev stack's outputs, trims a trailing slash and passes other outputs through", () => {
    const parsed = parseStackOutputs(devOutputs, "stack dev");
    expect(parsed.coder.baseUrl).toBe("https://ws--coder-serve.modal.run/v1");
    expect(parsed.vlmMcpServer?.args).toEqual(["/r/mcp/main.ts"]);
    expect((parsed as Record<string, unknown>)["sera"]).toEqual(devOutputs.sera);
  });

  it.each([
    ["no coder at all", { vlm: devOutputs.vlm }, "the outputs have no coder: deploy the stack first (npm run up) or check --stack/--outputs"],
    ["a coder without baseUrl", { coder: { model: "m" } }, "coder.baseUrl: the outputs have no coder.baseUrl"],
    ["a base URL not ending in /v1", setAt(devOutputs, ["coder", "baseUrl"], "https://ws--coder-serve.modal.run"), "coder.baseUrl must end in /v1"],
    ["a non-http URL", setAt(devOutputs, ["coder", "baseUrl"], "ftp://x/v1"), "coder.baseUrl must be an http(s) URL"],
    ["a missing model", setAt(devOutputs, ["coder", "model"], ""), "coder.model is empty"],
    ["secrets read without --show-secrets", setAt(devOutputs, ["coder", "apiKey"], "[secret]"), "read without --show-secrets"],
    ["an MCP registration without args", setAt(devOutputs, ["vlmMcpServer", "args"], "x"), "vlmMcpServer.args"],
  ])("rejects %s, naming the field and the source", (_what, raw, message) => {
    const text = problemsOf(raw);
    expect(text).toContain("outputs.json");
    expect(text).toContain(message);
  });
});

it("an undeployed stack (no coder output) is one problem, not one per missing field", () => {
  expect(problemsOf({}).match(/\n  - /g)).toHaveLength(1);
  expect(problemsOf({})).toContain("the outputs have no coder: deploy the stack first (npm run up)");
});

describe("desiredEntries", () => {
  const outputs = parseStackOutputs(devOutputs, "t");

  it("sends Modal proxy credentials as headers to the coder and as env to the MCP server", () => {
    const entries = desiredEntries({ outputs, modalProxy: { tokenId: "wk-1", tokenSecret: "ws-2" } });
    const value = (path: unknown[]) => entries.find((e) => JSON.stringify(e.path) === JSON.stringify(path))?.value;
    expect(value(["modelProviders", "openai", { id: outputs.coder.model }])).toMatchObject({
      generationConfig: { customHeaders: { "Modal-Key": "wk-1", "Modal-Secret": "ws-2" } },
    });
    expect(value(["mcpServers", "vlm-analyzer"])).toMatchObject({ env: { MODAL_PROXY_TOKEN_ID: "wk-1", MODAL_PROXY_TOKEN_SECRET: "ws-2" } });
  });

  it("uses vLLM's EMPTY key when the coder has none, and skips the MCP server when the stack has none", () => {
    const bare = parseStackOutputs({ coder: { baseUrl: "http://127.0.0.1:1/v1", model: "m" } }, "t");
    const entries = desiredEntries({ outputs: bare });
    expect(entries.find((e) => getAt({ env: { [CODER_KEY_ENV]: 1 } }, e.path) === 1)?.value).toBe(NO_KEY);
    expect(entries.some((e) => e.path[0] === "mcpServers")).toBe(false);
  });

  it("gives the MCP call longer than the server's own VLM budget", () => {
    expect(mcpTimeoutMs("600")).toBe(660_000);
    expect(mcpTimeoutMs(undefined)).toBe(360_000);
    expect(mcpTimeoutMs("nonsense")).toBe(360_000);
  });

  it("takes proxy credentials from the environment first, then from the MCP registration, and refuses half of them", () => {
    expect(modalProxyFrom({}, outputs)).toBeUndefined();
    expect(modalProxyFrom({ MODAL_PROXY_TOKEN_ID: "wk", MODAL_PROXY_TOKEN_SECRET: "ws" }, outputs)).toEqual({ tokenId: "wk", tokenSecret: "ws" });
    const withMcpCreds = parseStackOutputs(setAt(devOutputs, ["vlmMcpServer", "env"], { MODAL_PROXY_TOKEN_ID: "a", MODAL_PROXY_TOKEN_SECRET: "b" }), "t");
    expect(modalProxyFrom({}, withMcpCreds)).toEqual({ tokenId: "a", tokenSecret: "b" });
    expect(() => modalProxyFrom({ MODAL_PROXY_TOKEN_ID: "wk" }, outputs)).toThrow("set both MODAL_PROXY_TOKEN_ID and MODAL_PROXY_TOKEN_SECRET");
  });
});

describe("parseOptions", () => {
  it.each([
    [[], { stack: "dev", outputsFile: undefined, dryRun: false, uninstall: false, noInstall: false }],
    [["--stack", "prod", "--dry-run"], { stack: "prod", dryRun: true }],
    [["--outputs", "o.json", "--no-install"], { outputsFile: "o.json", noInstall: true }],
    [["--uninstall"], { uninstall: true }],
  ])("%j", (argv, expected) => {
    expect(parseOptions(argv)).toMatchObject(expected);
  });

  it.each([
    [["--stack", "a", "--outputs", "b"], "give one of them"],
    [["--bogus"], "Unknown option '--bogus'"],
    [["positional"], "Unexpected argument 'positional'"],
    [["--stack", ""], "--stack needs a stack name"],
  ])("rejects %j", (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(UsageError);
    expect(() => parseOptions(argv)).toThrow(message);
  });
});

describe("defaultPulumiLocator", () => {
  it("uses the project's ensureEngine() and engineEnv(), plus the embedded backend's environment", async () => {
    const { mkdtemp, mkdir, writeFile, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { defaultPulumiLocator } = await import("../../runtime/install-qwen-code/stack-outputs.ts");
    const project = await mkdtemp(join(tmpdir(), "locator-"));
    try {
      await mkdir(join(project, "scripts"));
      await writeFile(join(project, "package.json"), JSON.stringify({ type: "module" }));
      // The shapes of scripts/engine-lib.ts and scripts/backend.ts (Engine {binDir, pulumi, version}).
      await writeFile(
        join(project, "scripts", "engine-lib.ts"),
        `export async function ensureEngine(opts) { return { binDir: "/eng/bin", pulumi: "/eng/bin/pulumi", version: "3.259.0", home: opts.env.HOME }; }
         export function engineEnv(binDir, base) { return { PATH: binDir + ":" + base.PATH, PULUMI_SKIP_UPDATE_CHECK: "true" }; }`,
      );
      await writeFile(join(project, "scripts", "backend.ts"), `export function prepareBackend(env) { return { PULUMI_BACKEND_URL: "file:///p/state", HOME_SEEN: env.HOME }; }`);
      const env = { HOME: "/h", PATH: "/usr/bin" };
      expect(await defaultPulumiLocator(project, env)()).toEqual({
        bin: "/eng/bin/pulumi",
        env: { PATH: "/eng/bin:/usr/bin", PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_BACKEND_URL: "file:///p/state", HOME_SEEN: "/h" },
      });
      expect(await defaultPulumiLocator(project, { ...env, PULUMI_BIN: "/my/pulumi" })()).toEqual({
        bin: "/my/pulumi",
        env: { PULUMI_BACKEND_URL: "file:///p/state", HOME_SEEN: "/h" },
      });
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });

  it("says how to get the engine when there is none", async () => {
    const { defaultPulumiLocator } = await import("../../runtime/install-qwen-code/stack-outputs.ts");
    await expect(defaultPulumiLocator("/nonexistent-project", { PATH: "/nonexistent-bin" })()).rejects.toThrow(
      "the Pulumi CLI was not found: run `npm run engine` or set PULUMI_BIN, or pass --outputs FILE",
    );
  });
});
