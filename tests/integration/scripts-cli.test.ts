// `npm run preview -- --stack NAME`: the real engine prints the diff and the script writes the PR summary.
import { jest } from "@jest/globals";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { buildEndpoint } from "../../components/endpoint-spec.ts";
import { loadStackEndpointConfig, PROJECT } from "../../components/stack-config.ts";
import { stackFileForTests } from "../support/dev-stack.ts";
import { engineProject, type EngineProject } from "../support/engine-project.ts";

jest.setTimeout(300_000);
let p: EngineProject;
beforeAll(async () => {
  p = await engineProject();
});
afterAll(() => p?.cleanup());

// the capacity planner's own warning for the coder of both committed stacks (128 inputs × 131072 tokens on one H200):
// the engine must print what the planner computed, verbatim (the planner's numbers are judged by vLLM in tests/vllm)
const CAPACITY_WARNING = (() => {
  const { coder } = loadStackEndpointConfig("prod");
  const warning = coder && buildEndpoint("coder", coder, { project: PROJECT, stack: "ci", hasApiKey: true }).capacity?.warning;
  if (!warning) throw new Error("the prod coder no longer gets a capacity warning: this test's premise changed");
  return warning;
})();

it("prints pulumi preview --diff and every warning per resource, and writes a markdown summary per resource", async () => {
  writeFileSync(join(p.dir, "Pulumi.ci.yaml"), stackFileForTests("prod"));
  const summary = join(p.dir, "summary.md");
  const r = await execa("node", ["scripts/preview.ts", "--stack", "ci", "--summary", summary], { cwd: p.dir, env: p.env, extendEnv: false, reject: false });
  expect(r.stderr).toContain(`preview summary written to ${summary}`);
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toContain("Previewing update (ci)");
  expect(r.stdout).toMatch(/\+ command:local:Command: \(create\)/);
  expect(r.stdout).toContain(`Diagnostics (1 warning):\n  coding-agent-server:modal:VllmEndpoint (coder):\n    warning: ${CAPACITY_WARNING}`);
  expect(r.stdout).toContain("vLLM will run 30 at full length and queue the rest.");
  expect(r.stdout + r.stderr).not.toContain("Undefined value");
  const md = readFileSync(summary, "utf8");
  expect(md).toContain("### Pulumi preview — stack `ci`");
  expect(md).toContain("| `coder-deploy` | `command:local:Command` | create | — |");
  expect(md).toContain("| `vlm-deploy` | `command:local:Command` | create | — |");
  expect(md).toContain(`#### Diagnostics (1 warning)\n\n| resource | severity | message |\n|---|---|---|\n| \`coder\` (\`coding-agent-server:modal:VllmEndpoint\`) | warning | ${CAPACITY_WARNING}`);
  expect(md).not.toContain("Undefined value");
  expect(md).toContain("**6 to create");
});

it("a failing preview exits 1 and still prints and summarizes its error, on the endpoint that cannot fit", async () => {
  const yaml = stackFileForTests("dev").replace(/(coding-agent-server:vlm:\n(?:\s+.*\n)*?\s+gpu:) A100-80GB/, "$1 A100-40GB");
  expect(yaml).toContain("gpu: A100-40GB");
  writeFileSync(join(p.dir, "Pulumi.tight.yaml"), yaml);
  const summary = join(p.dir, "tight.md");
  const r = await execa("node", ["scripts/preview.ts", "--stack", "tight", "--summary", summary], { cwd: p.dir, env: p.env, extendEnv: false, reject: false });
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toContain("npm run preview: pulumi preview failed (its errors are above)");
  expect(r.stdout).toMatch(/Diagnostics \(1 error, 1 warning\):[\s\S]*  coding-agent-server:modal:VllmEndpoint \(vlm\):\n    error: vlm: Qwen\/Qwen3-VL-32B-Thinking-FP8 on A100-40GB:1 does not fit/);
  const md = readFileSync(summary, "utf8");
  expect(md).toContain("**The preview failed**");
  expect(md).toMatch(/\| `vlm` \(`coding-agent-server:modal:VllmEndpoint`\) \| error \| vlm: Qwen\/Qwen3-VL-32B-Thinking-FP8 on A100-40GB:1 does not fit: /);
  expect(md).toContain(`| warning | ${CAPACITY_WARNING}`);
});

it("npm run up deploys a stack on the real engine, generating its API keys once as secrets", async () => {
  writeFileSync(join(p.dir, "Pulumi.up.yaml"), stackFileForTests("dev"));
  const up = () => execa("node", ["scripts/up.ts", "--stack", "up"], { cwd: p.dir, env: p.env, extendEnv: false, reject: false, stdin: "ignore" });
  const first = await up();
  expect(first.stderr).toContain("generated coderApiKey (a Pulumi secret of stack up)");
  expect(first.stderr).toContain("generated vlmApiKey (a Pulumi secret of stack up)");
  expect(first.exitCode).toBe(0);
  expect(first.stdout).toMatch(/\+ 6 created/);
  const yaml = readFileSync(join(p.dir, "Pulumi.up.yaml"), "utf8");
  expect(yaml).toMatch(/coding-agent-server:coderApiKey:\n\s+secure: /);
  const outputs = JSON.parse((await execa("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", "up"], { cwd: p.dir, env: p.env })).stdout);
  expect(outputs.coder.apiKey).toMatch(/^sk-[\w-]{32}$/);
  expect(yaml).not.toContain(outputs.coder.apiKey);
  expect(first.stdout + first.stderr).not.toContain(outputs.coder.apiKey);
  const second = await up();
  expect(second.exitCode).toBe(0);
  expect(second.stderr).not.toContain("generated");
  expect(second.stdout).toMatch(/6 unchanged/);
});
