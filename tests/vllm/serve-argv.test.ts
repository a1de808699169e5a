// The exact `vllm serve` command line of every endpoint of every stack (dev, prod, and the test stack with SERA on,
// fastBoot on, weights on a volume), judged by vLLM's own CLI parser, serve validation and engine args
// (tests/vllm/parse_serve_argv.py): no error, no warning, every value read back as we meant it, and every parser
// and KV-cache dtype found in vLLM's registries.
import { join } from "node:path";
import { buildEndpoint, type EndpointSpec } from "../../components/endpoint-spec.ts";
import type { EndpointConfig } from "../../components/endpoint-args.ts";
import { loadStackEndpointConfig, PROJECT_DIR } from "../../components/stack-config.ts";
import { describeVllm, runVllmPython } from "../support/vllm.ts";

const STACKS = [
  ["dev", PROJECT_DIR],
  ["prod", PROJECT_DIR],
  ["test", join(PROJECT_DIR, "tests", "fixtures", "stacks")],
] as const;

interface Case {
  label: string;
  config: EndpointConfig;
  spec: EndpointSpec;
}
const cases: Case[] = STACKS.flatMap(([stack, dir]) => {
  const s = loadStackEndpointConfig(stack, dir);
  const endpoints: [string, EndpointConfig | undefined][] = [["coder", s.coder], ["vlm", s.vlm], ["sera", s.seraConfigured]];
  return endpoints.flatMap(([name, config]) =>
    config ? [{ label: `${stack}/${name}`, config, spec: buildEndpoint(name, config, { project: "coding-agent-server", stack, hasApiKey: true }).spec }] : [],
  );
});

interface Verdict {
  label: string;
  error: string | null;
  warnings: string[];
  parsed?: Record<string, unknown>;
  registry?: { tool_call_parser: string | null; reasoning_parser: string | null; kv_cache_dtype_known: boolean };
}

const judge = async (input: { label: string; argv: readonly string[]; env?: Readonly<Record<string, string>> }[]): Promise<Verdict[]> =>
  JSON.parse((await runVllmPython(["tests/vllm/parse_serve_argv.py"], { input: JSON.stringify(input) })).trim().split("\n").at(-1)!);

test("the test stack covers what dev and prod leave off", () => {
  const test = cases.filter((c) => c.label.startsWith("test/"));
  expect(test.map((c) => c.label)).toEqual(["test/coder", "test/vlm", "test/sera"]);
  expect(loadStackEndpointConfig("test", STACKS[2][1]).sera).toBeDefined();
  expect(test.some((c) => c.spec.fastBoot)).toBe(true);
  expect(test.some((c) => c.spec.weights.mode === "volume")).toBe(true);
});

describeVllm("vLLM judges every stack's vllm serve argv", () => {
  let verdicts: Map<string, Verdict>;
  beforeAll(async () => {
    const list = await judge(cases.map((c) => ({ label: c.label, argv: c.spec.serve.argv, env: c.spec.serve.env })));
    verdicts = new Map(list.map((v) => [v.label, v]));
  }, 180_000);

  test.each(cases.map((c) => [c.label, c] as const))("%s: parsed with no error and no warning, as configured", (label, c) => {
    const v = verdicts.get(label)!;
    expect({ error: v.error, warnings: v.warnings }).toEqual({ error: null, warnings: [] });
    const gpuCount = Number(c.config.gpu.split(":")[1] ?? 1);
    expect(v.parsed).toMatchObject({
      model: c.config.model,
      served_model_name: [c.config.servedModelName ?? c.config.model],
      revision: c.config.revision ?? null,
      max_model_len: c.config.maxModelLen,
      max_num_seqs: c.config.maxNumSeqs ?? null,
      gpu_memory_utilization: c.config.gpuMemoryUtilization ?? 0.9,
      kv_cache_dtype: c.config.kvCacheDtype ?? "auto",
      tensor_parallel_size: gpuCount,
      enable_sleep_mode: c.config.fastBoot ?? false,
      enforce_eager: c.config.enforceEager ?? false,
      host: "0.0.0.0",
      port: 8000,
      enable_auto_tool_choice: c.config.toolCallParser !== undefined,
      tool_call_parser: c.config.toolCallParser ?? null,
      reasoning_parser: c.config.reasoningParser ?? "",
    });
    if (c.config.limitMmPerPrompt) expect(v.parsed?.limit_mm_per_prompt).toEqual(c.config.limitMmPerPrompt);
  });

  test.each(cases.map((c) => [c.label, c] as const))("%s: its parsers and KV-cache dtype are in vLLM's registries", (label, c) => {
    const r = verdicts.get(label)!.registry!;
    expect(r.kv_cache_dtype_known).toBe(true);
    if (c.config.toolCallParser) expect(r.tool_call_parser).toMatch(/^\w+ToolParser$/);
    else expect(r.tool_call_parser).toBeNull();
    if (c.config.reasoningParser) expect(r.reasoning_parser).not.toMatch(/^error/);
    else expect(r.reasoning_parser).toBeNull();
    expect(r.reasoning_parser ?? "").not.toMatch(/^error/);
  });

  test("the judge is not blind: it reports parse errors, warnings and names vLLM does not have", async () => {
    const base = cases[0].spec.serve.argv;
    const [unknownFlag, deprecated, modelFlag, names] = await judge([
      { label: "unknown flag", argv: [...base, "--max-num-seqz", "4"] },
      { label: "deprecated", argv: [...base, "--log-config-file", "/tmp/x.json"] },
      { label: "--model", argv: ["vllm", "serve", "--model", ...base.slice(2)] },
      { label: "names", argv: [...base.filter((a, i) => a !== "fp8" && base[i + 1] !== "fp8"), "--kv-cache-dtype", "fp9", "--tool-call-parser", "qwen3_codr", "--reasoning-parser", "qwen4"] },
    ]);
    expect(unknownFlag.error).toMatch(/exit 2: .*unrecognized arguments: --max-num-seqz/);
    expect(deprecated.warnings).toEqual([expect.stringMatching(/UserWarning: --log-config-file is deprecated/)]);
    expect(modelFlag.warnings).toEqual([expect.stringMatching(/provide the model as a positional argument/)]);
    // vLLM's parser takes these free strings without complaint; only the registries know them
    expect(names.error).toBeNull();
    expect(names.registry).toEqual({ tool_call_parser: expect.stringMatching(/^error: .*qwen3_codr/), reasoning_parser: expect.stringMatching(/^error: .*qwen4/), kv_cache_dtype_known: false });
  }, 180_000);
});
