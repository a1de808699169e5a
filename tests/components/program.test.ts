// The whole program (index.ts) under Pulumi mocks with the dev stack's config.
import * as pulumi from "@pulumi/pulumi";
import { recordResources, valueOf, type Recorded } from "../support/pulumi-mocks.ts";
import { stackConfig } from "../support/dev-stack.ts";

const API_KEY = "sk-test-coder-0123456789";
let recorded: Recorded[];
let program: Record<string, any>;

beforeAll(async () => {
  recorded = await recordResources();
  pulumi.runtime.setAllConfig({ ...stackConfig("dev"), "coding-agent-server:coderApiKey": API_KEY, "coding-agent-server:vlmApiKey": "sk-test-vlm-abcdef" }, ["coding-agent-server:coderApiKey", "coding-agent-server:vlmApiKey"]);
  program = ((await import("../../index.ts")) as any).default;
  // outputs resolve only after every resource registered (the commands' stdout feeds them)
  await valueOf(pulumi.output(program.coder));
  await valueOf(pulumi.output(program.vlmMcpServer));
});

const specOf = (name: string) => JSON.parse(recorded.find((r) => r.name === `${name}-deploy`)!.inputs.environment.ENDPOINT_SPEC);

it("registers the coder, the VLM inside the MCP server component, and no SERA by default", () => {
  expect(recorded.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
    "coding-agent-server:mcp:VlmMcpServer vlm",
    "coding-agent-server:modal:VllmEndpoint coder",
    "coding-agent-server:modal:VllmEndpoint vlm",
    "command:local:Command coder-deploy",
    "command:local:Command vlm-deploy",
  ]);
});

it("deploys the coder with the seed's settings", () => {
  const spec = specOf("coder");
  expect(spec).toMatchObject({
    appName: "coding-agent-server-dev-coder",
    model: "unsloth/Qwen3-Coder-Next-FP8-Dynamic",
    gpu: "H200:1",
    weights: { mode: "image" },
    scaling: { maxContainers: 1, maxInputs: 128, scaledownWindow: 300, minContainers: 0 },
    secrets: { apiKey: "coding-agent-server-dev-coder-vllm-api-key" },
  });
  expect(spec.serve.argv).toEqual([
    "vllm", "serve", "unsloth/Qwen3-Coder-Next-FP8-Dynamic",
    "--served-model-name", "unsloth/Qwen3-Coder-Next-FP8-Dynamic",
    "--host", "0.0.0.0", "--port", "8000",
    "--max-model-len", "131072",
    "--gpu-memory-utilization", "0.9",
    "--kv-cache-dtype", "fp8",
    "--enable-auto-tool-choice", "--tool-call-parser", "qwen3_coder",
  ]);
});

it("deploys the VLM on the GPU the capacity check allows, with the image limit as JSON", () => {
  const spec = specOf("vlm");
  expect(spec.gpu).toBe("A100-80GB:1");
  expect(spec.scaling.maxInputs).toBe(16);
  expect(spec.serve.argv).toEqual(expect.arrayContaining(["--max-model-len", "32768", "--reasoning-parser", "qwen3", "--kv-cache-dtype", "fp8"]));
  const i = spec.serve.argv.indexOf("--limit-mm-per-prompt");
  expect(spec.serve.argv[i + 1]).toBe('{"image":5}');
});

it("runs our deploy script on create and update, and modal app stop through it on delete", () => {
  const cmd = recorded.find((r) => r.name === "coder-deploy")!.inputs;
  expect(cmd.create).toBe("node components/modal/deploy.ts deploy");
  expect(cmd.update).toBe(cmd.create);
  expect(cmd.delete).toBe("node components/modal/deploy.ts stop");
  expect(cmd.triggers).toBeUndefined(); // a trigger would force a replace that stops the fresh app
});

it("hands the API key to the deploy step only as a secret stdin", () => {
  const coder = recorded.find((r) => r.name === "coder-deploy")!;
  expect(coder.inputs.stdin).toBe(API_KEY);
  expect(coder.secretInputs).toEqual(["stdin"]);
  for (const r of recorded.filter((x) => x.type === "command:local:Command")) {
    expect(r.inputs.environment.ENDPOINT_SPEC).not.toContain(API_KEY);
    expect(r.inputs.create).not.toContain(API_KEY);
  }
});

it("exports the outputs the local tools consume, secrets secret", async () => {
  const coder = await valueOf(pulumi.output(program.coder));
  expect(coder).toEqual({ baseUrl: "https://ws--coding-agent-server-dev-coder-serve.modal.run/v1", model: "unsloth/Qwen3-Coder-Next-FP8-Dynamic", apiKey: API_KEY });
  expect(await pulumi.isSecret(program.coder.apiKey)).toBe(true);
  expect(await pulumi.isSecret(program.coder.baseUrl)).toBe(false);
  expect(await pulumi.isSecret(program.coder.model)).toBe(false);
  const vlm = await valueOf(pulumi.output(program.vlm));
  expect(vlm).toMatchObject({ baseUrl: "https://ws--coding-agent-server-dev-vlm-serve.modal.run/v1", model: "Qwen/Qwen3-VL-32B-Thinking-FP8", maxImagesPerPrompt: 5 });
  expect(Object.keys(program).sort()).toEqual(["coder", "vlm", "vlmMcpServer"]); // no undefined sera output
});

it("exports the MCP server registration with endpoint, model and key", async () => {
  const reg = await valueOf(pulumi.output(program.vlmMcpServer));
  expect(reg!.command).toBe(process.execPath);
  expect(reg!.args[0]).toMatch(/\/mcp\/bin\.js$/);
  expect(reg!.env).toEqual({
    VLM_ENDPOINT: "https://ws--coding-agent-server-dev-vlm-serve.modal.run/v1",
    VLM_MODEL: "Qwen/Qwen3-VL-32B-Thinking-FP8",
    VLM_MAX_IMAGES: "5",
    VLM_TIMEOUT: "1200",
    VLM_API_KEY: "sk-test-vlm-abcdef",
  });
  expect(await pulumi.isSecret(program.vlmMcpServer)).toBe(true);
});
