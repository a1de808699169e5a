// `npm run setup`: the project's Python side — a venv in .venv with the pinned modal SDK/CLI. Idempotent.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { PROJECT_DIR } from "../components/stack-config.ts";

const venv = join(PROJECT_DIR, ".venv");
const python = join(venv, "bin", "python");

export async function ensureVenv(log: (s: string) => void = (s) => process.stderr.write(s + "\n")): Promise<string> {
  const wanted = /modal==([\w.]+)/.exec(readFileSync(join(PROJECT_DIR, "requirements.txt"), "utf8"))?.[1];
  if (existsSync(python)) {
    const r = await execa(python, ["-c", "import modal; print(modal.__version__)"], { reject: false });
    if (r.exitCode === 0 && r.stdout.trim() === wanted) return venv;
  }
  const host = process.env.PYTHON ?? "python3";
  log(`setup: creating .venv with modal ${wanted} (${host})…`);
  await execa(host, ["-m", "venv", venv], { stdio: "inherit" });
  await execa(join(venv, "bin", "pip"), ["install", "--disable-pip-version-check", "-q", "-r", join(PROJECT_DIR, "requirements.txt")], { stdio: "inherit" });
  log(`setup: .venv ready (${python})`);
  return venv;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await ensureVenv();
}
