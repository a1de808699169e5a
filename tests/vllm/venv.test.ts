// The judge itself: the venv holds the vLLM version the Modal image installs.
import { VLLM_VERSION } from "../../lib/vllm-venv.ts";
import { describeVllm, runVllmPython } from "../support/vllm.ts";

describeVllm("vLLM venv", () => {
  test("imports the pinned vLLM version", async () => {
    const out = await runVllmPython(["-c", "import vllm; print(vllm.__version__)"]);
    expect(out.trim().split("\n").at(-1)).toBe(VLLM_VERSION);
  }, 120_000);
});
