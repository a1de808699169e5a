// `npm run vllm-fixtures`: re-records tests/fixtures/vllm/ — what vLLM's own OpenAI server streams for scripted model
// output (tests/vllm/record-fixtures.py, run in the `npm run setup:vllm` venv). The vLLM stub replays these files;
// tests/vllm/fixtures.test.ts fails when they are no longer what the pinned vLLM produces.
import { join } from "node:path";
import { execa } from "execa";
import { VLLM_CPU_ENV, vllmPython, vllmVenvReady, VLLM_VERSION } from "../lib/vllm-venv.ts";
import { PROJECT_DIR } from "../components/stack-config.ts";

const FIXTURES_DIR = join(PROJECT_DIR, "tests", "fixtures", "vllm");

if (!vllmVenvReady()) {
  process.stderr.write(`vllm-fixtures: no vLLM ${VLLM_VERSION} venv: run \`npm run setup:vllm\` first\n`);
  process.exit(1);
}
process.stderr.write(`vllm-fixtures: recording from vLLM ${VLLM_VERSION}'s server code (~30 s)…\n`);
const r = await execa(vllmPython(), [join(PROJECT_DIR, "tests", "vllm", "record-fixtures.py"), FIXTURES_DIR], { env: VLLM_CPU_ENV, reject: false });
if (r.exitCode !== 0) {
  process.stderr.write(r.stderr + "\n");
  process.exit(1);
}
process.stderr.write(`vllm-fixtures: wrote ${FIXTURES_DIR}\n`);
