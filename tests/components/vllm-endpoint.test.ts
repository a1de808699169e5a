import * as pulumi from "@pulumi/pulumi";
import { parseDeployOutput, VllmEndpoint } from "../../components/vllm-endpoint.ts";
import { buildEndpoint } from "../../components/endpoint-spec.ts";
import { recordResources, valueOf, type Recorded } from "../support/pulumi-mocks.ts";

let recorded: Recorded[];
beforeAll(async () => {
  recorded = await recordResources({ preview: false, stack: "t" });
});

it("parents its deploy command to itself and names it from the component", async () => {
  const e = new VllmEndpoint("mycoder", { model: "allenai/SERA-32B", gpu: "H100", maxModelLen: 16384 });
  const urn = await valueOf(e.urn);
  await valueOf(e.url);
  const child = recorded.find((r) => r.name === "mycoder-deploy")!;
  expect(child.type).toBe("command:local:Command");
  expect(urn).toBe("urn:pulumi:t::coding-agent-server::coding-agent-server:modal:VllmEndpoint::mycoder");
  expect(child.inputs.stdin).toBeUndefined(); // no key, no secret input
  expect(await valueOf(e.appName)).toBe("coding-agent-server-t-mycoder");
  expect(await valueOf(e.openaiBaseUrl)).toBe("https://ws--coding-agent-server-t-mycoder-serve.modal.run/v1");
  expect(await valueOf(e.gpu)).toBe("H100:1");
  expect(e.apiKey).toBeUndefined();
});

it("fails construction with the capacity numbers when the model cannot run", () => {
  expect(() => new VllmEndpoint("vlm40", { model: "Qwen/Qwen3-VL-32B-Thinking-FP8", gpu: "A100-40GB", maxModelLen: 32768, kvCacheDtype: "fp8" })).toThrow(
    /vlm40: Qwen\/Qwen3-VL-32B-Thinking-FP8 on A100-40GB:1 .*40\.0 GiB × 0\.9 = 36\.0 GiB − weights 33\.1 GiB/,
  );
  expect(() => new VllmEndpoint("coder40", { model: "unsloth/Qwen3-Coder-Next-FP8-Dynamic", gpu: "A100-40GB", maxModelLen: 131072, kvCacheDtype: "fp8" })).toThrow(
    /coder40: .* does not fit: its weights alone \(75\.1 GiB\)/,
  );
});

it("skips the check with a reason for a model outside the catalog, and runs it when the user gives the numbers", () => {
  const unknown = buildEndpoint("x", { model: "acme/Tiny-1B", gpu: "L4", maxModelLen: 4096 }, { project: "p", stack: "s", hasApiKey: false });
  expect(unknown.capacity).toBeUndefined();
  expect(unknown.capacitySkipped).toMatch(/capacity check could not run: acme\/Tiny-1B is not in the model catalog/);
  const given = buildEndpoint("x", { model: "acme/Tiny-1B", gpu: "L4", maxModelLen: 4096, architecture: { paramsBillions: { bf16: 1 }, fullAttentionLayers: 16, kvHeads: 8, headDim: 64, maxContext: 8192 } }, { project: "p", stack: "s", hasApiKey: false });
  expect(given.capacity?.kvBytesPerToken).toBe(16 * 8 * 64 * 2 * 2);
});

it("turns fastBoot into a snapshot-ready class and sleep mode", () => {
  const { spec } = buildEndpoint("fb", { model: "allenai/SERA-32B", gpu: "H200", maxModelLen: 8192, fastBoot: true }, { project: "p", stack: "s", hasApiKey: false });
  expect(spec.functionName).toBe("VllmServer.serve");
  expect(spec.serve.argv).toContain("--enable-sleep-mode");
  expect(spec.serve.env).toMatchObject({ VLLM_SERVER_DEV_MODE: "1" });
});

it("marks the API key secret and keeps it out of the spec", async () => {
  const e = new VllmEndpoint("keyed", { model: "allenai/SERA-32B", gpu: "H200", maxModelLen: 8192, apiKey: pulumi.secret("sk-very-secret") });
  await valueOf(e.url);
  expect(await pulumi.isSecret(e.apiKey!)).toBe(true);
  expect(await pulumi.isSecret(e.url)).toBe(false);
  expect(JSON.stringify(e.spec)).not.toContain("sk-very-secret");
  expect(e.spec.secrets.apiKey).toBe("coding-agent-server-t-keyed-vllm-api-key");
});

describe("parseDeployOutput", () => {
  it("reads the last line as the result", () => {
    expect(parseDeployOutput('noise\n{"appName":"a","functionName":"serve","url":"https://u","openaiBaseUrl":"https://u/v1"}').url).toBe("https://u");
  });
  it.each([["no json at all", /printed no JSON result/], ['{"appName":"a"}', /lacks "functionName"/]])("rejects %s", (out, msg) => {
    expect(() => parseDeployOutput(out)).toThrow(msg);
  });
});
