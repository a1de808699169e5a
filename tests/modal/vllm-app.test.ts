// The REAL modal SDK (pinned in the project venv) builds components/modal/vllm_app.py from the dev stack's specs.
import { execa } from "execa";
import { DEFAULTS } from "../../components/endpoint-args.ts";
import { buildEndpoint, VLLM_IMAGE, type EndpointSpec } from "../../components/endpoint-spec.ts";
import { parseStackConfig } from "../../components/stack-config.ts";
import { stackConfig } from "../support/dev-stack.ts";
import { VENV_PYTHON } from "../support/project.ts";

const devSpec = (role: "coder" | "vlm", patch: object = {}) =>
  buildEndpoint(role, { ...parseStackConfig(stackConfig("dev"))[role], ...patch }, { project: "coding-agent-server", stack: "dev", hasApiKey: true }).spec;

async function inspect(spec: EndpointSpec) {
  const r = await execa(VENV_PYTHON, ["tests/modal/inspect_app.py"], { env: { ENDPOINT_SPEC: JSON.stringify(spec) }, reject: false });
  if (r.exitCode !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

it("builds the coder: H200, scaledown 300, 128 concurrent inputs, web server on 8000, exact vllm argv", async () => {
  const spec = devSpec("coder");
  const app = await inspect(spec);
  expect(app.modal_version).toBe("1.6.4");
  expect(app.app_name).toBe("coding-agent-server-dev-coder");
  expect(Object.keys(app.functions)).toEqual(["serve"]);
  expect(app.functions.serve).toMatchObject({
    gpu: "H200:1",
    scaledown_window: 300,
    min_containers: 0,
    max_containers: 1,
    max_concurrent_inputs: 128,
    timeout: 3600,
    web_server_port: 8000,
    web_server_startup_timeout: 1200,
    requires_proxy_auth: false,
    enable_memory_snapshot: false,
    volumes: [],
    secrets: 2, // the API-key secret + the env dict modal turns into a secret
  });
  expect(app.argv).toEqual([
    "vllm", "serve", "unsloth/Qwen3-Coder-Next-FP8-Dynamic", "--served-model-name", "unsloth/Qwen3-Coder-Next-FP8-Dynamic",
    "--host", "0.0.0.0", "--port", "8000", "--max-model-len", "131072", "--gpu-memory-utilization", "0.9",
    "--kv-cache-dtype", "fp8", "--enable-auto-tool-choice", "--tool-call-parser", "qwen3_coder",
  ]);
});

it("builds the VLM: A100-80GB, 16 concurrent inputs, JSON image limit, reasoning parser", async () => {
  const app = await inspect(devSpec("vlm"));
  expect(app.functions.serve).toMatchObject({ gpu: "A100-80GB:1", max_concurrent_inputs: 16, scaledown_window: 300, web_server_port: 8000 });
  expect(app.argv).toEqual(expect.arrayContaining(["--limit-mm-per-prompt", '{"image":5}', "--reasoning-parser", "qwen3", "--max-num-seqs", "8"]));
});

it("turns on proxy auth, a weights volume and the HF secret when asked", async () => {
  const app = await inspect(devSpec("coder", { requiresProxyAuth: true, weights: "volume", hfSecretName: "hf-token" }));
  expect(app.functions.serve).toMatchObject({ requires_proxy_auth: true, volumes: ["/root/.cache/huggingface"], secrets: 3 });
});

it("builds the fastBoot variant as a GPU-snapshot class", async () => {
  const app = await inspect(devSpec("coder", { fastBoot: true }));
  const fn = app.functions["VllmServer.*"];
  expect(fn).toMatchObject({ enable_memory_snapshot: true, experimental_options: { enable_gpu_snapshot: "True" } /* modal stringifies option values */, max_concurrent_inputs: 128, gpu: "H200:1" });
  expect(app.argv).toContain("--enable-sleep-mode");
});

interface Layer {
  readonly commands: string[];
  readonly secrets: number;
  readonly gpu: boolean;
}
const image = (app: { functions: Record<string, { image: { layers: Layer[] } }> }) => Object.values(app.functions)[0].image.layers;
const runs = (layers: Layer[]) => layers.flatMap((l) => l.commands.filter((c) => c.startsWith("RUN ")));

it("builds the image on the CUDA devel base, installs the pinned vLLM, then FlashInfer's kernels on a GPU-less builder", async () => {
  const layers = image(await inspect(devSpec("vlm")));
  // the SDK's own Dockerfile commands, base first: a CUDA devel registry image with Modal's standalone Python on it
  expect(layers[0].commands).toEqual([`FROM ${VLLM_IMAGE.base}`]);
  expect(VLLM_IMAGE.base).toMatch(/^nvidia\/cuda:\d+\.\d+\.\d+-devel-ubuntu/);
  expect(layers[1].commands).toContain("COPY /python/. /usr/local");
  expect(layers.flatMap((l) => l.commands)).toContain("ENTRYPOINT []");
  const steps = runs(layers);
  const install = steps.findIndex((c) => c.includes("uv pip install") && c.includes(`vllm==${DEFAULTS.vllmVersion}`));
  const kernels = steps.indexOf(`RUN ${VLLM_IMAGE.kernels}`);
  expect(install).toBeGreaterThanOrEqual(0);
  // kernels after vLLM (download-kernels matches the FlashInfer that vLLM installed), weights after both
  expect(kernels).toBe(install + 1);
  expect(steps[steps.length - 1]).toBe("RUN hf download Qwen/Qwen3-VL-32B-Thinking-FP8");
  expect(layers.some((l) => l.gpu)).toBe(false);
});

it("bakes no weights into a volume-weights image and keeps the same kernel step", async () => {
  const steps = runs(image(await inspect(devSpec("coder", { weights: "volume", fastBoot: true }))));
  expect(steps.some((c) => c.includes("hf download"))).toBe(false);
  expect(steps).toContain(`RUN ${VLLM_IMAGE.kernels}`);
});

it("uses only the current Modal API", async () => {
  const { readFileSync } = await import("node:fs");
  const source = readFileSync("components/modal/vllm_app.py", "utf8");
  for (const removed of ["keep_warm", "container_idle_timeout", "concurrency_limit", "allow_concurrent_inputs"]) expect(source).not.toContain(removed);
});

it("fails loudly without a spec", async () => {
  const r = await execa(VENV_PYTHON, ["tests/modal/inspect_app.py"], { env: { ENDPOINT_SPEC: "" }, reject: false });
  expect(r.exitCode).not.toBe(0);
  expect(r.stderr).toContain("ENDPOINT_SPEC is not set");
});
