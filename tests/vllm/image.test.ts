// The Modal image judged by the pinned vLLM (components/endpoint-spec.ts VLLM_IMAGE): its CUDA is the CUDA of vLLM's
// torch, its kernel step runs on a machine without a GPU and installs FlashInfer kernels matching vLLM's FlashInfer,
// and vLLM's own code says why the step and the devel base are needed (FlashInfer disabled without nvcc or cubins;
// on an A100 with fp8 KV, FlashInfer is the attention backend vLLM would pick and Triton refuses).
import { execa } from "execa";
import { dirname, join } from "node:path";
import { VLLM_IMAGE } from "../../components/endpoint-spec.ts";
import { GPU_NAMES, parseGpu } from "../../components/gpus.ts";
import { fp8KvBackend } from "../../components/kv-backend.ts";
import { vllmPython } from "../../lib/vllm-venv.ts";
import { describeVllm, runVllmPython } from "../support/vllm.ts";

const venvBin = () => dirname(vllmPython());
const sitePackages = async () => (await runVllmPython(["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])).trim();

/** A shell line as the image builder runs it: the venv's `vllm` on PATH, no GPU and no VLLM_TARGET_DEVICE of ours. */
async function builderShell(line: string) {
  const env = { PATH: `${venvBin()}:/usr/bin:/bin`, HOME: process.env.HOME ?? "/root", HF_HUB_OFFLINE: "1" };
  return execa("sh", ["-c", line], { env, extendEnv: false, reject: false, all: true });
}

interface Probe {
  torch_cuda: string;
  flashinfer_python: string;
  flashinfer_cubin_installed: boolean;
  usr_local_cuda: boolean;
  has_flashinfer: { bare: boolean; cuda_home: boolean; cubin: boolean };
  fp8_kv: Record<string, { valid: string[]; invalid: Record<string, string[]>; triton_error: string | null }>;
}

const GPU_TYPES = [...new Map(GPU_NAMES.map((n) => parseGpu(n).type).map((t) => [t.name, t])).values()];
// SM90 is left out: there FlashAttention 3 comes before FlashInfer, and its CUDA extension cannot load without a GPU
const OBSERVABLE = GPU_TYPES.filter((g) => g.computeCapability !== 90);

describeVllm("the Modal image, judged by vLLM", () => {
  let probe: Probe;
  beforeAll(async () => {
    // the venv's pip-installed CUDA toolkit (nvidia-cuda-nvcc, a vLLM dependency) stands in for the devel image's
    const capabilities = [...new Set(OBSERVABLE.map((g) => String(g.computeCapability)))];
    probe = JSON.parse(await runVllmPython(["tests/vllm/flashinfer_probe.py", join(await sitePackages(), "nvidia", "cu13"), ...capabilities]));
  }, 120_000);

  it("is based on the CUDA release of the torch vLLM pins", () => {
    const m = /^nvidia\/cuda:(\d+)\.(\d+)\.\d+-devel-/.exec(VLLM_IMAGE.base);
    expect(m).not.toBeNull();
    expect(`${m![1]}.${m![2]}`).toBe(probe.torch_cuda);
  });

  it("FlashInfer is disabled by vLLM without nvcc or kernel wheels, enabled with either", () => {
    // the premise of the bare case: this machine, like debian_slim, has no /usr/local/cuda and the venv no cubins
    expect(probe.usr_local_cuda).toBe(false);
    expect(probe.flashinfer_cubin_installed).toBe(false);
    expect(probe.has_flashinfer).toEqual({ bare: false, cuda_home: true, cubin: true });
  });

  it("on compute capability 8.0 (the VLM's A100) with fp8 KV vLLM's selector puts FlashInfer first and Triton refuses fp8", () => {
    expect(probe.fp8_kv["80"].valid[0]).toBe("FLASHINFER");
    expect(probe.fp8_kv["80"].triton_error).toMatch(/FP8 KV cache is not supported by the Triton attention backend .*compute capability 8\.0.*requires SM89\+/);
  });

  it.each(OBSERVABLE.map((g) => [g.name, g] as const))("fp8KvBackend(%s) is the backend vLLM would start fp8 KV on", (_name, gpu) => {
    const seen = probe.fp8_kv[String(gpu.computeCapability)];
    // the first valid backend that also builds: Triton passes selection but refuses fp8 below SM89 when it starts
    const starts = seen.valid.filter((b) => !(b === "TRITON_ATTN" && seen.triton_error));
    expect(fp8KvBackend(gpu, "fp8")).toBe(starts[0]);
  });

  it("the image's kernel step runs without a GPU and installs the kernel wheels of vLLM's FlashInfer for its CUDA", async () => {
    const r = await builderShell(`${VLLM_IMAGE.kernels} --dry-run`);
    expect(r.all).not.toMatch(/Traceback/);
    expect(r.exitCode).toBe(0);
    const planned = Object.fromEntries([...(r.all ?? "").matchAll(/Requirement: ([\w-]+)==(\S+)/g)].map((m) => [m[1], m[2]]));
    const cu = `cu${probe.torch_cuda.replace(".", "")}`;
    expect(planned).toEqual({ "flashinfer-cubin": probe.flashinfer_python, "flashinfer-jit-cache": `${probe.flashinfer_python}+${cu}` });
  }, 120_000);

  it("the same step without VLLM_TARGET_DEVICE=cpu fails on a GPU-less builder", async () => {
    const bare = VLLM_IMAGE.kernels.replace(/^VLLM_TARGET_DEVICE=cpu /, "");
    expect(bare).not.toBe(VLLM_IMAGE.kernels);
    const r = await builderShell(`${bare} --dry-run`);
    expect(r.exitCode).not.toBe(0);
    expect(r.all).toContain("Failed to infer device type");
  }, 120_000);
});
