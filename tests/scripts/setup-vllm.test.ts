// `npm run setup:vllm` against a stand-in venv (CAS_VLLM_VENV): a `python` that reports a vLLM version the way the
// real one does (log lines first, the version last) and a `pip` that records its arguments and "installs" the pin.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureVllmVenv } from "../../scripts/setup-vllm.ts";
import { vllmReadyMarker, VLLM_VERSION } from "../../lib/vllm-venv.ts";

function fakeVenv(installed: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), "vllm-venv-"));
  mkdirSync(join(dir, "bin"));
  const versionFile = join(dir, "version");
  if (installed) writeFileSync(versionFile, installed);
  writeFileSync(join(dir, "bin", "python"), `#!/bin/sh\n[ -f ${versionFile} ] || { echo "No module named 'vllm'" >&2; exit 1; }\necho "INFO torch loaded"\ncat ${versionFile}\n`);
  writeFileSync(join(dir, "bin", "pip"), `#!/bin/sh\necho "$@" >> ${dir}/pip-args\nfor a in "$@"; do case "$a" in vllm==*) printf %s "\${a#vllm==}" > ${versionFile};; esac; done\n`);
  chmodSync(join(dir, "bin", "python"), 0o755);
  chmodSync(join(dir, "bin", "pip"), 0o755);
  return dir;
}

const saved = process.env.CAS_VLLM_VENV;
afterEach(() => {
  if (saved === undefined) delete process.env.CAS_VLLM_VENV;
  else process.env.CAS_VLLM_VENV = saved;
});

test("accepts a venv that already has the pinned vLLM: no pip, writes the ready marker", async () => {
  const dir = (process.env.CAS_VLLM_VENV = fakeVenv(VLLM_VERSION));
  const log: string[] = [];
  await ensureVllmVenv((s) => log.push(s));
  expect(existsSync(join(dir, "pip-args"))).toBe(false);
  expect(readFileSync(vllmReadyMarker(), "utf8")).toBe(`vllm ${VLLM_VERSION}\n`);
  expect(log.at(-1)).toBe(`vLLM ${VLLM_VERSION} ready at ${dir}`);
});

test("installs the pin over another version, with progress lines, then verifies", async () => {
  const dir = (process.env.CAS_VLLM_VENV = fakeVenv("0.9.0"));
  const log: string[] = [];
  await ensureVllmVenv((s) => log.push(s));
  expect(readFileSync(join(dir, "pip-args"), "utf8")).toContain(`vllm==${VLLM_VERSION}`);
  expect(log.filter((l) => /^\[\d\/3\]/.test(l))).toEqual([
    "[1/3] venv exists with vLLM 0.9.0: installing over it",
    `[2/3] pip install vllm==${VLLM_VERSION} (about 5 minutes and ~9.5 GB on a fresh cache; pip prints each package)`,
    "[3/3] verifying that vllm imports",
  ]);
  expect(existsSync(vllmReadyMarker())).toBe(true);
});

test("a second run is a no-op once the marker exists", async () => {
  const dir = (process.env.CAS_VLLM_VENV = fakeVenv(VLLM_VERSION));
  await ensureVllmVenv(() => {});
  writeFileSync(join(dir, "version"), "broken");
  const log: string[] = [];
  await ensureVllmVenv((s) => log.push(s));
  expect(log).toEqual([`vLLM ${VLLM_VERSION} ready at ${dir}`]);
});

test("refuses to mark a venv whose vLLM still reports the wrong version", async () => {
  const dir = (process.env.CAS_VLLM_VENV = fakeVenv("0.9.0"));
  writeFileSync(join(dir, "bin", "pip"), "#!/bin/sh\nexit 0\n");
  await expect(ensureVllmVenv(() => {})).rejects.toThrow(`reports version 0.9.0, expected ${VLLM_VERSION}`);
  expect(existsSync(vllmReadyMarker())).toBe(false);
});
