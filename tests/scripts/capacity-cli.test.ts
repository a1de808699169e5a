// `npm run capacity`: the flags get the checks preview runs, reported under the flag's name, and an fp8 KV cache
// is shown with the backend vLLM would run it on.
import { execa } from "execa";
import { fp8KvUnsupported } from "../../components/kv-backend.ts";
import { parseGpu } from "../../components/gpus.ts";

const VLM = "Qwen/Qwen3-VL-32B-Thinking-FP8";
const capacity = (...args: string[]) => execa("node", ["scripts/capacity.ts", ...args], { reject: false });

it("fp8 KV on a GPU no vLLM backend serves fails naming --kv, as preview names kvCacheDtype", async () => {
  const r = await capacity("--model", VLM, "--gpu", "T4", "--kv", "fp8");
  expect(r.exitCode).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toContain(`  --kv: ${fp8KvUnsupported(parseGpu("T4").type, "fp8")}`);
});

it("an unknown KV dtype lists vLLM's, and a non-number --util is named", async () => {
  const r = await capacity("--model", VLM, "--gpu", "A100-80GB", "--kv", "fp9", "--util", "most");
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toMatch(/--kv: vLLM 0\.33\.0 has no KV-cache dtype "fp9"; valid: auto, .*fp8_e4m3/);
  expect(r.stderr).toMatch(/--util: .*NaN/);
});

it("prints the fp8 KV backend on an A100 and none for auto", async () => {
  const fp8 = await capacity("--model", VLM, "--gpu", "A100-80GB", "--kv", "fp8");
  expect(fp8.exitCode).toBe(0);
  expect(fp8.stdout).toContain("fp8 KV runs on vLLM's FLASHINFER attention backend on A100-80GB");
  const auto = await capacity("--model", VLM, "--gpu", "A100-80GB", "--kv", "auto");
  expect(auto.exitCode).toBe(0);
  expect(auto.stdout).not.toContain("attention backend");
  expect(auto.stdout).toMatch(/131072 \|\s+[\d.]+ \|\s+\d+/);
});
