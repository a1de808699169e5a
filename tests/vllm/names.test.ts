// components/vllm-names.json (what the stack config validates parsers and KV-cache dtypes against, without Python)
// is exactly what vLLM's registries hold. When this fails after a vLLM bump, run `npm run vllm-names`.
import { execa } from "execa";
import { VLLM_NAMES } from "../../components/vllm-names.ts";
import { VLLM_VERSION } from "../../lib/vllm-venv.ts";
import { describeVllm, runVllmPython } from "../support/vllm.ts";

describeVllm("vllm-names.json against vLLM's registries", () => {
  let fromVllm: typeof VLLM_NAMES;
  beforeAll(async () => {
    fromVllm = JSON.parse(await runVllmPython(["scripts/vllm_names.py"]));
  }, 120_000);

  test("is the pinned version's list", () => {
    expect(VLLM_NAMES.vllmVersion).toBe(VLLM_VERSION);
    expect(fromVllm.vllmVersion).toBe(VLLM_VERSION);
  });

  test.each(["toolCallParsers", "reasoningParsers", "kvCacheDtypes"] as const)("%s equal vLLM's", (kind) => {
    expect(VLLM_NAMES[kind]).toEqual(fromVllm[kind]);
  });

  test("the parsers our stacks name load as vLLM classes", async () => {
    const code = [
      "from vllm.tool_parsers import ToolParserManager as T, ToolParser; from vllm.reasoning import ReasoningParserManager as R, ReasoningParser",
      "print(issubclass(T.get_tool_parser('qwen3_coder'), ToolParser), issubclass(T.get_tool_parser('hermes'), ToolParser), issubclass(R.get_reasoning_parser('qwen3'), ReasoningParser))",
    ].join("\n");
    const out = (await runVllmPython(["-c", code])).trim().split("\n").at(-1);
    expect(out).toBe("True True True");
  }, 120_000);
});

test("the names script refuses to run without the venv, naming the command", async () => {
  const r = await execa("node", ["scripts/vllm-names.ts"], { env: { CAS_VLLM_VENV: "/nonexistent-vllm-venv" }, reject: false });
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toContain("run `npm run setup:vllm` first");
});
