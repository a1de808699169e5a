// Re-captures tests/fixtures/qwen-code/*.json from a real run of the pinned qwen-code (run by hand after a
// qwen-code upgrade: `node tests/install-qwen-code/e2e/capture-fixtures.ts`). Ports, temporary paths, dates
// and keys are replaced by stable placeholders so the files do not change from run to run for no reason.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CODER_KEY, runScenario } from "./scenario.ts";

const projectDir = resolve(import.meta.dirname, "..", "..", "..");
const workDir = await mkdtemp(join(tmpdir(), "qodal-capture-"));
try {
  const result = await runScenario({ projectDir, workDir, privacy: "installer", timeoutMs: 90_000, keepBodies: true });
  if (result.qodal.exitCode !== 0) throw new Error(`qodal failed: ${result.qodal.stderr}`);
  const version = (await import(join(projectDir, "node_modules/@qwen-code/qwen-code/package.json"), { with: { type: "json" } })).default.version as string;
  const clean = (text: string) =>
    text
      .replaceAll(workDir, "/tmp/qodal-e2e")
      .replaceAll(CODER_KEY, "sk-coder")
      .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:8000")
      .replace(/chatcmpl-tool-[0-9a-f]+/g, "chatcmpl-tool-0")
      .replace(/The current date is: [^.]+\./g, "The current date is: (date).")
      .replace(/\\"elapsedMs\\":\d+/g, '\\"elapsedMs\\":0');
  const names = ["turn1-tool-search", "turn2-tool-call", "turn3-tool-result"];
  for (const [i, body] of (result.coderBodies ?? []).entries()) {
    const file = join(projectDir, "tests", "fixtures", "qwen-code", `${version}-${names[i] ?? `turn${i + 1}`}.json`);
    await writeFile(file, `${clean(JSON.stringify(body, null, 1))}\n`);
    console.log(`wrote ${file}`);
  }
} finally {
  await rm(workDir, { recursive: true, force: true });
}
