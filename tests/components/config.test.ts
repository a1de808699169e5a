import { ConfigError } from "../../components/endpoint-args.ts";
import { loadStackEndpointConfig, parseStackConfig } from "../../components/stack-config.ts";
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
  [{ kvCacheDtype: "int3" }, /coding-agent-server:coder\.kvCacheDtype: Invalid option/],
  [{ maxInput: 4 }, /coding-agent-server:coder\.maxInput: unknown key/],
  [{ minContainers: 3, maxContainers: 1 }, /coding-agent-server:coder\.minContainers: minContainers \(3\) exceeds maxContainers \(1\)/],
  [{ model: "not a model id" }, /coding-agent-server:coder\.model: a Hugging Face id/],
])("rejects %j naming the key", (patch, message) => {
  expect(problem(withCoder(patch))).toMatch(message);
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
