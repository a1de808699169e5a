// `npm run preview -- --stack NAME [--summary FILE]`: prints `pulumi preview --diff`, then every warning and
// error per resource, and writes a markdown summary (per resource: create / update / replace / delete and which
// inputs changed; the diagnostics) for a PR comment. The summary is written when the preview fails too.
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { CommandError, LocalWorkspace, PulumiCommand, type EngineEvent } from "@pulumi/pulumi/automation/index.js";
import { PROJECT_DIR } from "../components/stack-config.ts";
import { pulumiSetup } from "./pulumi-env.ts";
import { diagnosticFromEvent, formatDiagnostics, stepFromEvent, summarizePreview, type PreviewDiagnostic, type PreviewStep } from "./preview-summary.ts";

const { values } = parseArgs({ options: { stack: { type: "string", default: "dev" }, summary: { type: "string" } } });
const stackName = String(values.stack);
const summaryFile = values.summary ?? join(PROJECT_DIR, ".cache", `preview-${stackName}.md`);

const { binDir, env } = await pulumiSetup();
const pulumiCommand = await PulumiCommand.get({ root: dirname(binDir) });
const stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir: PROJECT_DIR }, { envVars: env, pulumiCommand });
const steps: PreviewStep[] = [];
const diagnostics: PreviewDiagnostic[] = [];
const onEvent = (e: EngineEvent) => {
  const step = stepFromEvent(e);
  if (step) steps.push(step);
  const diagnostic = diagnosticFromEvent(e);
  if (diagnostic) diagnostics.push(diagnostic);
};
let failure: unknown;
try {
  // the CLI's stderr as it comes (its errors, and anything said outside the event stream)
  await stack.preview({ diff: true, onOutput: (s) => process.stdout.write(s), onError: (s) => process.stderr.write(s), onEvent });
} catch (e) {
  failure = e;
}
const failed = failure !== undefined;
const text = formatDiagnostics(diagnostics);
if (text) process.stdout.write(`\n${text}\n`);
// a CommandError's message repeats stdout and stderr, both printed already; other errors are news
if (failed) process.stderr.write(failure instanceof CommandError ? "npm run preview: pulumi preview failed (its errors are above)\n" : `npm run preview: ${(failure as Error).message}\n`);
const { markdown } = summarizePreview(stackName, steps, { diagnostics, failed });
mkdirSync(dirname(summaryFile), { recursive: true });
writeFileSync(summaryFile, markdown);
if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, markdown + "\n");
process.stderr.write(`\npreview summary written to ${summaryFile}\n`);
if (failed) process.exitCode = 1;
