// `npm run setup:vllm`: the cached venv with the pinned vLLM (DEFAULTS.vllmVersion, the version the Modal image
// installs) that the `vllm` jest project uses as its judge. Idempotent: a venv whose `vllm.__version__` is the pinned
// one is accepted as it is (however it was installed) and only gets its ready marker; otherwise pip installs it.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { VLLM_CPU_ENV, vllmPython, vllmReadyMarker, vllmVenvDir, vllmVenvReady, VLLM_VERSION } from "../lib/vllm-venv.ts";

type Log = (s: string) => void;
const stderrLog: Log = (s) => process.stderr.write(`setup:vllm: ${s}\n`);

/** vllm.__version__ as the venv's python reports it, or undefined when vLLM does not import. */
async function installedVllmVersion(python: string): Promise<string | undefined> {
  if (!existsSync(python)) return undefined;
  const r = await execa(python, ["-c", "import vllm; print(vllm.__version__)"], { env: VLLM_CPU_ENV, reject: false });
  // vLLM logs to stdout/stderr while importing torch; the version is the last stdout line
  return r.exitCode === 0 ? r.stdout.trim().split("\n").at(-1) : undefined;
}

export async function ensureVllmVenv(log: Log = stderrLog, version: string = VLLM_VERSION): Promise<string> {
  const dir = vllmVenvDir(version);
  const python = vllmPython(version);
  if (vllmVenvReady(version)) {
    log(`vLLM ${version} ready at ${dir}`);
    return dir;
  }
  log(`checking ${dir} for vLLM ${version}…`);
  let found = await installedVllmVersion(python);
  if (found !== version) {
    if (!existsSync(python)) {
      const host = process.env.PYTHON ?? "python3";
      log(`[1/3] creating the venv (${host} -m venv ${dir})`);
      mkdirSync(dirname(dir), { recursive: true });
      await execa(host, ["-m", "venv", dir], { stdio: "inherit" });
    } else {
      log(`[1/3] venv exists${found ? ` with vLLM ${found}` : " without a working vLLM"}: installing over it`);
    }
    log(`[2/3] pip install vllm==${version} (about 5 minutes and ~9.5 GB on a fresh cache; pip prints each package)`);
    await execa(join(dir, "bin", "pip"), ["install", "--disable-pip-version-check", "--progress-bar", "off", `vllm==${version}`], { stdio: "inherit" });
    log("[3/3] verifying that vllm imports");
    found = await installedVllmVersion(python);
  } else {
    log(`found vLLM ${found} already installed`);
  }
  if (found !== version) throw new Error(`vLLM in ${dir} reports version ${found ?? "(does not import)"}, expected ${version}`);
  writeFileSync(vllmReadyMarker(version), `vllm ${version}\n`);
  log(`vLLM ${version} ready at ${dir}`);
  return dir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await ensureVllmVenv();
  } catch (e) {
    stderrLog((e as Error).message);
    process.exit(1);
  }
}
