// `sera --coder` and vision, as plans (pure): the coder's URL/model/key from the stack outputs, its context length
// and proxy-auth setting from the stack's endpoint config (Pulumi.dev.yaml), the model settings Claude Code gets,
// the vlm-analyzer registration, and the stack outputs parsed as `pulumi stack output --json --show-secrets` prints them.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEndpointConfig } from "../../components/endpoint-args.ts";
import { PROJECT, PROJECT_DIR } from "../../components/stack-config.ts";
import { parseCli } from "../../runtime/sera/args.ts";
import { mcpConfigJson, writeMcpConfig } from "../../runtime/sera/mcp-config.ts";
import { buildPlan, claudeEnv, coderClaudeEnv, describePlan, modelHasVision, needsStackOutputs, type Facts, type SessionPlan } from "../../runtime/sera/plan.ts";
import { parseSessionOutputs, readEndpointConfigs, readOutputsFile } from "../../runtime/sera/stack.ts";

const configs = readEndpointConfigs("dev", PROJECT_DIR);
const CODER_MODEL = "unsloth/Qwen3-Coder-Next-FP8-Dynamic";
const coderOutput = { baseUrl: "https://ws--coding-agent-server-dev-coder-serve.modal.run/v1", model: CODER_MODEL, apiKey: "coder-key" };
const vlmMcpServer = {
  command: "/p/node_modules/node/bin/node",
  args: ["/p/mcp/main.ts"],
  env: { VLM_ENDPOINT: "https://ws--vlm.modal.run/v1", VLM_MODEL: "Qwen/Qwen3-VL-32B-Thinking-FP8", VLM_API_KEY: "vlm-key" },
};

function facts(extra: Partial<Facts> = {}): Facts {
  let n = 0;
  return {
    project: PROJECT, claudeBin: "/p/claude", random: () => `rnd${++n}ABCDEFGH`,
    ...(configs.sera ? { seraConfig: configs.sera } : {}), ...(configs.coder ? { coderConfig: configs.coder } : {}),
    coderOutput, vlmMcpServer, ...extra,
  };
}
const plan = (argv: string, env: Record<string, string> = {}, f: Facts = facts()) => buildPlan(parseCli(argv === "" ? [] : argv.split(" ")), env, f) as SessionPlan;

describe("sera --coder", () => {
  it("the dev stack's coder config is what the plan reads (131072 context, no proxy auth)", () => {
    expect(configs.coderProblem).toBeUndefined();
    expect(configs.coder).toMatchObject({ model: CODER_MODEL, maxModelLen: 131072, toolCallParser: "qwen3_coder" });
  });

  it("native dialect on the coder's URL, served model and key; context length from the endpoint config", () => {
    const p = plan("--coder -- -p hi");
    expect(p).toMatchObject({
      target: "coder",
      upstream: { baseUrl: coderOutput.baseUrl, model: CODER_MODEL, apiKey: "coder-key", maxModelLen: 131072 },
      proxy: { port: 8080, dialect: "native" },
      claude: { bin: "/p/claude", args: ["-p", "hi"] },
    });
    expect(p.upstream.modalProxy).toBeUndefined();
  });

  it("every model Claude Code picks is the coder's, small/fast included, and its context window is the coder's", () => {
    expect(plan("--coder").claude?.env).toEqual({
      ENABLE_TOOL_SEARCH: "false",
      ANTHROPIC_MODEL: CODER_MODEL,
      ANTHROPIC_DEFAULT_OPUS_MODEL: CODER_MODEL,
      ANTHROPIC_DEFAULT_SONNET_MODEL: CODER_MODEL,
      ANTHROPIC_DEFAULT_HAIKU_MODEL: CODER_MODEL,
      ANTHROPIC_SMALL_FAST_MODEL: CODER_MODEL,
      CLAUDE_CODE_SUBAGENT_MODEL: CODER_MODEL,
      CLAUDE_CODE_MAX_CONTEXT_TOKENS: "131072",
    });
    // the user's own model choice does not send the session elsewhere; the proxy stays the only endpoint
    const env = claudeEnv({ ANTHROPIC_MODEL: "claude-opus-5-5", ANTHROPIC_BASE_URL: "https://api.anthropic.com", HOME: "/h" }, "http://127.0.0.1:9", "tok", coderClaudeEnv(CODER_MODEL, 4096));
    expect(env).toMatchObject({ ANTHROPIC_MODEL: CODER_MODEL, ANTHROPIC_BASE_URL: "http://127.0.0.1:9", ANTHROPIC_AUTH_TOKEN: "tok", CLAUDE_CODE_MAX_CONTEXT_TOKENS: "4096", HOME: "/h" });
    // a SERA session keeps Claude Code's own model settings
    expect(plan("--endpoint http://h/v1").claude?.env).toEqual({});
  });

  it("a coder with requiresProxyAuth gets Modal-Key/Secret from the environment, else from the stack's proxy token outputs", () => {
    const coderConfig = parseEndpointConfig("coding-agent-server:coder", { ...configs.coder, requiresProxyAuth: true });
    const fromEnv = plan("--coder", { MODAL_PROXY_TOKEN_ID: "wk-env", MODAL_PROXY_TOKEN_SECRET: "ws-env" }, facts({ coderConfig }));
    expect(fromEnv.upstream.modalProxy).toEqual({ key: "wk-env", secret: "ws-env" });
    const mcp = { ...vlmMcpServer, env: { ...vlmMcpServer.env, MODAL_PROXY_TOKEN_ID: "wk-stack", MODAL_PROXY_TOKEN_SECRET: "ws-stack" } };
    expect(plan("--coder", {}, facts({ coderConfig, vlmMcpServer: mcp })).upstream.modalProxy).toEqual({ key: "wk-stack", secret: "ws-stack" });
    expect(() => plan("--coder", {}, facts({ coderConfig }))).toThrow(/requires Modal proxy auth \(requiresProxyAuth\): set MODAL_PROXY_TOKEN_ID and MODAL_PROXY_TOKEN_SECRET/);
    // not required: the tokens in the environment are not sent to the coder
    expect(plan("--coder", { MODAL_PROXY_TOKEN_ID: "a", MODAL_PROXY_TOKEN_SECRET: "b" }).upstream.modalProxy).toBeUndefined();
  });

  it("no coder output: the error says why and what to do", () => {
    const f = facts({ coderOutput: undefined, coderOutputProblem: "pulumi stack output failed: error: no stack named 'dev' found" });
    expect(() => plan("--coder", {}, f)).toThrow(/--coder needs the coder output of stack "dev" \(pulumi stack output failed: .*no stack named 'dev'.*\): deploy it with `npm run up`, or pass --outputs FILE/);
  });

  it("--coder excludes --endpoint, --model, --modal; --dialect may override native", () => {
    expect(() => parseCli(["--coder", "--endpoint", "http://h/v1"])).toThrow(/--coder .* does not go with --endpoint/);
    expect(() => parseCli(["--coder", "--modal"])).toThrow(/does not go with --modal/);
    expect(() => parseCli(["--coder", "--model", "x"])).toThrow(/does not go with --model/);
    expect(() => parseCli(["deploy", "--coder"])).toThrow(/sera deploy does not take --coder/);
    expect(plan("--coder --dialect swe-agent").proxy.dialect).toBe("swe-agent");
  });

  it("the stack outputs are looked up for --coder even when SERA_ENDPOINT is set", () => {
    expect(needsStackOutputs(parseCli(["--coder"]), { SERA_ENDPOINT: "http://x/v1" })).toBe(true);
    expect(needsStackOutputs(parseCli(["--endpoint", "http://x/v1"]), {})).toBe(false);
  });

  it("--dry-run names the coder, its context and vision, and no secret", () => {
    const text = describePlan(plan("--coder --dry-run"));
    expect(text).toContain(`endpoint: ${coderOutput.baseUrl} (from stack coder output)`);
    expect(text).toContain("max model len: 131072");
    expect(text).toContain("proxy: 127.0.0.1:8080 (native dialect)");
    expect(text).toContain("vision: vlm-analyzer MCP server for Claude Code; images described by Qwen/Qwen3-VL-32B-Thinking-FP8 (the model has no vision)");
    expect(text).toContain(`CLAUDE_CODE_MAX_CONTEXT_TOKENS=131072`);
    expect(text).not.toMatch(/coder-key|vlm-key/);
  });
});

describe("vision in sera's sessions", () => {
  it("the coder and SERA have no vision, the VLM has: images are described only for the first two", () => {
    expect(modelHasVision(CODER_MODEL, configs.coder)).toBe(false);
    expect(modelHasVision("allenai/SERA-32B", configs.sera)).toBe(false);
    expect(modelHasVision("Qwen/Qwen3-VL-32B-Thinking-FP8", undefined)).toBe(true);
    expect(modelHasVision("someone/unknown-model", undefined)).toBe(false);
    expect(plan("--coder").vision).toEqual({ mcpServer: vlmMcpServer, describeWith: vlmMcpServer.env });
    expect(plan("--endpoint http://h/v1 --model Qwen/Qwen3-VL-32B-Thinking-FP8").vision).toEqual({ mcpServer: vlmMcpServer });
    // a SERA session on the stack's sera endpoint: the same registration, images described
    const sera = plan("", {}, facts({ stackOutput: { baseUrl: "https://s--sera.modal.run/v1", model: "allenai/SERA-32B", apiKey: "sk" } }));
    expect(sera).toMatchObject({ target: "sera", proxy: { dialect: "swe-agent" }, vision: { mcpServer: vlmMcpServer, describeWith: vlmMcpServer.env } });
  });

  it("off with --no-vision, and off (saying why) when the stack has no vlmMcpServer output", () => {
    expect(plan("--coder --no-vision")).toMatchObject({ visionOff: "--no-vision" });
    expect(plan("--coder --no-vision").vision).toBeUndefined();
    const none = plan("--coder", {}, facts({ vlmMcpServer: undefined, vlmMcpServerProblem: "no vlmMcpServer output" }));
    expect(none.vision).toBeUndefined();
    expect(describePlan(none)).toContain("vision: off (no vlmMcpServer output)");
  });

  it("Claude Code's MCP config: vlm-analyzer as a stdio server with the stack's command, args and env, in a private file", async () => {
    expect(JSON.parse(mcpConfigJson(vlmMcpServer))).toEqual({ mcpServers: { "vlm-analyzer": { type: "stdio", ...vlmMcpServer } } });
    const dir = mkdtempSync(join(tmpdir(), "mcp-cfg-test-"));
    try {
      const f = await writeMcpConfig(vlmMcpServer, dir);
      expect(statSync(f.path).mode & 0o777).toBe(0o600);
      expect(statSync(join(f.path, "..")).mode & 0o777).toBe(0o700);
      expect(JSON.parse(readFileSync(f.path, "utf8")).mcpServers["vlm-analyzer"].env.VLM_API_KEY).toBe("vlm-key");
      await f.remove();
      expect(() => statSync(f.path)).toThrow(/ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the stack outputs a session reads", () => {
  const all = { coder: coderOutput, vlm: { baseUrl: "https://ws--vlm.modal.run/v1", model: "Qwen/Qwen3-VL-32B-Thinking-FP8", maxImagesPerPrompt: 5 }, vlmMcpServer };
  it("coder, vlmMcpServer and sera each parsed on their own, with the reason when absent or invalid", () => {
    expect(parseSessionOutputs(JSON.stringify(all))).toEqual({ coder: coderOutput, vlmMcpServer, seraProblem: "no sera output (the stack's sera endpoint is not enabled)" });
    const hidden = parseSessionOutputs(JSON.stringify({ ...all, coder: { ...coderOutput, apiKey: "[secret]" }, vlmMcpServer: { ...vlmMcpServer, env: { VLM_API_KEY: "[secret]" } } }));
    expect(hidden.coderProblem).toMatch(/coder.apiKey: apiKey is "\[secret\]"/);
    expect(hidden.vlmMcpServerProblem).toMatch(/vlmMcpServer.env.VLM_API_KEY: is "\[secret\]"/);
    expect(parseSessionOutputs("{not json").coderProblem).toMatch(/stack outputs are not JSON/);
  });

  it("--outputs FILE is read as the same JSON; a missing file is the problem of every output", async () => {
    const dir = mkdtempSync(join(tmpdir(), "outputs-test-"));
    try {
      writeFileSync(join(dir, "o.json"), JSON.stringify(all));
      expect((await readOutputsFile(join(dir, "o.json"))).coder).toEqual(coderOutput);
      expect((await readOutputsFile(join(dir, "nope.json"))).coderProblem).toMatch(/cannot read the outputs file .*nope.json: ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
