// The gate of the `vllm` jest project (tests/vllm/): tests judged by vLLM's own code. In CI a missing venv fails
// loudly; locally the suite is skipped with a message naming the command that creates it.
import { execa } from "execa";
import { VLLM_CPU_ENV, vllmPython, vllmVenvDir, vllmVenvReady, VLLM_VERSION } from "../../lib/vllm-venv.ts";

export const VLLM_SETUP_HINT = `vLLM ${VLLM_VERSION} venv missing at ${vllmVenvDir()}: run \`npm run setup:vllm\``;

/** describe() when the venv is ready; otherwise a failing test in CI, a skip with the hint locally. */
export function describeVllm(name: string, fn: () => void): void {
  if (vllmVenvReady()) return describe(name, fn);
  if (process.env.CI) {
    describe(name, () => {
      test("the vLLM venv is installed", () => {
        throw new Error(VLLM_SETUP_HINT);
      });
    });
    return;
  }
  process.stderr.write(`skipping "${name}": ${VLLM_SETUP_HINT}\n`);
  describe.skip(name, fn);
}

/** Runs `python -c code` (or a script path with args) in the vLLM venv on CPU; returns stdout, throws with stderr. */
export async function runVllmPython(args: readonly string[], opts: { input?: string; cwd?: string; env?: Record<string, string> } = {}): Promise<string> {
  const r = await execa(vllmPython(), args, { ...opts, env: { ...VLLM_CPU_ENV, ...opts.env }, reject: false });
  if (r.exitCode !== 0) throw new Error(`vLLM python ${args.join(" ").slice(0, 200)} exited ${r.exitCode}:\n${r.stderr}`);
  return r.stdout;
}
