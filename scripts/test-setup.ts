// `npm test`'s pretest: what the suite needs besides node_modules — the venv with the real modal SDK, the Pulumi
// engine for the integration tests, the cached vLLM venv (the `vllm` jest project's judge), and actionlint. Each step is cached, so a second run takes seconds.
import { join } from "node:path";
import { execa } from "execa";
import { PROJECT_DIR } from "../components/stack-config.ts";
import { ensureEngine } from "./engine-lib.ts";
import { ensureVenv } from "./setup.ts";
import { ensureVllmVenv } from "./setup-vllm.ts";

const say = (s: string) => process.stderr.write(`test-setup: ${s}\n`);
await ensureVenv(say);
const engine = await ensureEngine();
say(`pulumi ${engine.version} at ${engine.pulumi}`);
await ensureVllmVenv(say);
const lint = await execa(join(PROJECT_DIR, "scripts", "ensure-actionlint.sh"), { stderr: "inherit", reject: false });
if (lint.exitCode !== 0) say("actionlint could not be built: the workflow test will fail");
else say(`actionlint at ${lint.stdout.trim()}`);
