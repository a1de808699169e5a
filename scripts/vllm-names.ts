// `npm run vllm-names`: reads vLLM's registries once (scripts/vllm_names.py in the `npm run setup:vllm` venv) and
// writes components/vllm-names.json, the checked-in list the stack config validates against, so preview needs no
// Python. tests/vllm/names.test.ts fails when the list and vLLM disagree.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { VLLM_CPU_ENV, vllmPython, vllmVenvReady, VLLM_VERSION } from "../lib/vllm-venv.ts";
import { VLLM_NAMES_FILE } from "../components/vllm-names.ts";
import { PROJECT_DIR } from "../components/stack-config.ts";

if (!vllmVenvReady()) {
  process.stderr.write(`vllm-names: no vLLM ${VLLM_VERSION} venv: run \`npm run setup:vllm\` first\n`);
  process.exit(1);
}
process.stderr.write(`vllm-names: reading vLLM ${VLLM_VERSION}'s registries (imports vLLM: ~15 s)…\n`);
const r = await execa(vllmPython(), [join(PROJECT_DIR, "scripts", "vllm_names.py")], { env: VLLM_CPU_ENV, reject: false });
if (r.exitCode !== 0) {
  process.stderr.write(r.stderr + "\n");
  process.exit(1);
}
const names = JSON.parse(r.stdout) as { vllmVersion: string; toolCallParsers: string[]; reasoningParsers: string[]; kvCacheDtypes: string[] };
writeFileSync(VLLM_NAMES_FILE, JSON.stringify(names, null, 2) + "\n");
process.stderr.write(`vllm-names: wrote ${VLLM_NAMES_FILE} (${names.toolCallParsers.length} tool parsers, ${names.reasoningParsers.length} reasoning parsers, ${names.kvCacheDtypes.length} KV-cache dtypes)\n`);
