import { ConfigError } from "../../components/endpoint-args.ts";
import { loadStackEndpointConfig, parseStackConfig } from "../../components/stack-config.ts";
import { VLLM_NAMES } from "../../components/vllm-names.ts";
import { stackConfig } from "../support/dev-stack.ts";

const dev = stackConfig("dev");
const withCoder = (patch: object) => ({ ...dev, "coding-agent-server:coder": JSON.stringify({ ...JSON.parse(dev["coding-agent-server:coder"]), ...patch }) });
const problem = (all: Record<string, unknown>) => {
  try {
    parseStackConfig(all);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
};

it("accepts the dev and prod stacks", () => {
  expect(parseStackConfig(dev).coder.gpu).toBe("H200:1");
  expect(parseStackConfig(stackConfig("prod")).vlm.gpu).toBe("A100-80GB");
});

it.each([
  [{ gpu: "H300" }, /coding-agent-server:coder\.gpu: unknown GPU "H300": one of T4, L4, .*H200/],
  [{ gpu: "H200:9" }, /coding-agent-server:coder\.gpu: GPU count 9 for H200 must be 1\.\.8/],
  [{ enableAutoToolChoice: false }, /coding-agent-server:coder\.toolCallParser: a tool call parser needs --enable-auto-tool-choice/],
  [{ scaledownWindow: -5 }, /coding-agent-server:coder\.scaledownWindow: Too small/],
  [{ scaledownWindow: 7200 }, /coding-agent-server:coder\.scaledownWindow: Too big/],
  [{ limitMmPerPrompt: "image=5" }, /coding-agent-server:coder\.limitMmPerPrompt: must be a JSON object of counts/],
  [{ kvCacheDtype: "fp9" }, /coding-agent-server:coder\.kvCacheDtype: vLLM 0\.33\.0 has no KV-cache dtype "fp9"; valid: auto, float16, bfloat16, fp8,/],
  [{ kvCacheDtype: "bfloat16" }, /coding-agent-server:coder\.kvCacheDtype: vLLM has "bfloat16", but the capacity check can size only auto, fp8, fp8_e4m3, fp8_e5m2/],
  [{ gpu: "T4", kvCacheDtype: "fp8" }, /coding-agent-server:coder\.kvCacheDtype: vLLM 0\.33 has no attention backend for a fp8 KV cache on T4 \(compute capability 7\.5\)/],
  [{ maxInput: 4 }, /coding-agent-server:coder\.maxInput: unknown key/],
  [{ minContainers: 3, maxContainers: 1 }, /coding-agent-server:coder\.minContainers: minContainers \(3\) exceeds maxContainers \(1\)/],
  [{ model: "not a model id" }, /coding-agent-server:coder\.model: a Hugging Face id/],
])("rejects %j naming the key", (patch, message) => {
  expect(problem(withCoder(patch))).toMatch(message);
});

// the valid names come from vLLM's registries (components/vllm-names.json, compared with vLLM by tests/vllm/names.test.ts)
it.each([
  ["toolCallParser", "qwen3_codr", "tool call parser", VLLM_NAMES.toolCallParsers],
  ["reasoningParser", "qwen4", "reasoning parser", VLLM_NAMES.reasoningParsers],
] as const)("rejects a %s vLLM does not have, listing vLLM's names", (key, value, what, valid) => {
  const msg = problem(withCoder({ [key]: value }));
  const line = msg.split("\n").find((l) => l.includes(`coding-agent-server:coder.${key}:`));
  expect(line?.trim()).toBe(`coding-agent-server:coder.${key}: vLLM ${VLLM_NAMES.vllmVersion} has no ${what} "${value}"; valid: ${valid.join(", ")}`);
  expect(valid).toContain(key === "toolCallParser" ? "qwen3_coder" : "qwen3");
});

it("accepts fp8 KV where a vLLM backend serves it: the A100 on FlashInfer, Hopper on FlashAttention, T4 only with auto", () => {
  expect(parseStackConfig(withCoder({ gpu: "A100-80GB", kvCacheDtype: "fp8" })).coder.kvCacheDtype).toBe("fp8");
  expect(parseStackConfig(withCoder({ gpu: "L4", kvCacheDtype: "fp8_e5m2" })).coder.kvCacheDtype).toBe("fp8_e5m2");
  expect(parseStackConfig(withCoder({ gpu: "T4", kvCacheDtype: "auto" })).coder.gpu).toBe("T4");
});

it("does not judge parser names against the list for another vllmVersion", () => {
  expect(parseStackConfig(withCoder({ vllmVersion: "0.34.0", toolCallParser: "qwen4_coder" })).coder.toolCallParser).toBe("qwen4_coder");
});

it("rejects unknown top-level keys of the project namespace", () => {
  expect(problem({ ...dev, "coding-agent-server:codr": "{}" })).toMatch(/coding-agent-server:codr: unknown key/);
});

it("reports every problem at once", () => {
  const msg = problem({ ...withCoder({ gpu: "X1" }), "coding-agent-server:vlm": JSON.stringify({ model: "a/b", gpu: "L4", maxInputs: 0 }) });
  expect(msg).toMatch(/coder\.gpu/);
  expect(msg).toMatch(/vlm\.maxInputs/);
});

it("requires the coder and the VLM", () => {
  expect(problem({ "coding-agent-server:vlm": dev["coding-agent-server:vlm"] })).toMatch(/coding-agent-server:coder: missing/);
});

it("leaves SERA out until enabled, and reads the same file without the engine", () => {
  expect(parseStackConfig(dev).sera).toBeUndefined();
  const local = loadStackEndpointConfig("dev");
  expect(local.seraConfigured).toMatchObject({ model: "allenai/SERA-32B", gpu: "H100", toolCallParser: "hermes", maxModelLen: 32768 });
  const sera = JSON.parse(dev["coding-agent-server:sera"]);
  expect(parseStackConfig({ ...dev, "coding-agent-server:sera": JSON.stringify({ ...sera, enabled: true }) }).sera?.model).toBe("allenai/SERA-32B");
});

it("names a stack without a file", () => {
  expect(() => loadStackEndpointConfig("nope")).toThrow(/stack "nope" has no .*Pulumi\.nope\.yaml/);
});
