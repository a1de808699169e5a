// `npm run preview -- --stack NAME [--summary FILE]`: prints `pulumi preview --diff` and writes a markdown
// summary (per resource: create / update / replace / delete and which inputs changed) for a PR comment.
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { LocalWorkspace, PulumiCommand, type EngineEvent } from "@pulumi/pulumi/automation/index.js";
import { PROJECT_DIR } from "../components/stack-config.ts";
import { pulumiSetup } from "./pulumi-env.ts";
import { stepFromEvent, summarizePreview, type PreviewStep } from "./preview-summary.ts";

const { values } = parseArgs({ options: { stack: { type: "string", default: "dev" }, summary: { type: "string" } } });
const stackName = String(values.stack);
const summaryFile = values.summary ?? join(PROJECT_DIR, ".cache", `preview-${stackName}.md`);

const { binDir, env } = await pulumiSetup();
const pulumiCommand = await PulumiCommand.get({ root: dirname(binDir) });
const stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir: PROJECT_DIR }, { envVars: env, pulumiCommand });
const steps: PreviewStep[] = [];
const onEvent = (e: EngineEvent) => {
  const step = stepFromEvent(e);
  if (step) steps.push(step);
};
try {
  await stack.preview({ diff: true, onOutput: (s) => process.stdout.write(s), onEvent });
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
}
const { markdown } = summarizePreview(stackName, steps);
mkdirSync(dirname(summaryFile), { recursive: true });
writeFileSync(summaryFile, markdown);
if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, markdown + "\n");
process.stderr.write(`\npreview summary written to ${summaryFile}\n`);
