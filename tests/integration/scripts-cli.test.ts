// `npm run preview -- --stack NAME`: the real engine prints the diff and the script writes the PR summary.
import { jest } from "@jest/globals";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { PROJECT_DIR } from "../../components/stack-config.ts";
import { engineProject, type EngineProject } from "../support/engine-project.ts";

jest.setTimeout(300_000);
let p: EngineProject;
beforeAll(async () => {
  p = await engineProject();
});
afterAll(() => p?.cleanup());

it("prints pulumi preview --diff and writes a markdown summary per resource", async () => {
  writeFileSync(join(p.dir, "Pulumi.ci.yaml"), readFileSync(join(PROJECT_DIR, "Pulumi.prod.yaml")));
  const summary = join(p.dir, "summary.md");
  const r = await execa("node", ["scripts/preview.ts", "--stack", "ci", "--summary", summary], { cwd: p.dir, env: p.env, extendEnv: false, reject: false });
  expect(r.stderr).toContain(`preview summary written to ${summary}`);
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toContain("Previewing update (ci)");
  expect(r.stdout).toMatch(/\+ command:local:Command: \(create\)/);
  const md = readFileSync(summary, "utf8");
  expect(md).toContain("### Pulumi preview — stack `ci`");
  expect(md).toContain("| `coder-deploy` | `command:local:Command` | create | — |");
  expect(md).toContain("| `vlm-deploy` | `command:local:Command` | create | — |");
  expect(md).toContain("**6 to create");
});

it("npm run up deploys a stack on the real engine, generating its API keys once as secrets", async () => {
  writeFileSync(join(p.dir, "Pulumi.up.yaml"), readFileSync(join(PROJECT_DIR, "Pulumi.dev.yaml")));
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
