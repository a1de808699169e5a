// The GitHub Actions workflow: linted by actionlint (built from the Go module proxy by scripts/ensure-actionlint.sh)
// and checked for what the project needs from it.
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { parse } from "yaml";
import { PROJECT_DIR } from "../../components/stack-config.ts";

const ACTIONLINT = join(PROJECT_DIR, ".cache", "bin", "actionlint");
const WORKFLOW = join(PROJECT_DIR, ".github", "workflows", "pulumi.yml");

it("has actionlint available (npm test's pretest builds it)", () => {
  expect(existsSync(ACTIONLINT)).toBe(true);
});

it("passes actionlint", async () => {
  const r = await execa(ACTIONLINT, ["-no-color", WORKFLOW], { reject: false, cwd: PROJECT_DIR });
  expect(r.stdout + r.stderr).toBe("");
  expect(r.exitCode).toBe(0);
});

it("actionlint catches a broken workflow (the check can fail)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-"));
  mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
  const broken = readFileSync(WORKFLOW, "utf8").replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    needs: no-such-job");
  writeFileSync(join(dir, ".github", "workflows", "pulumi.yml"), broken);
  const r = await execa(ACTIONLINT, ["-no-color", join(dir, ".github", "workflows", "pulumi.yml")], { reject: false, cwd: dir });
  expect(r.exitCode).toBe(1);
  expect(r.stdout).toMatch(/no-such-job/);
});

it("previews every environment on pull requests with a PR comment, and deploys prod only after dev", () => {
  const wf = parse(readFileSync(WORKFLOW, "utf8"));
  const stacks = readdirStacks();
  expect(wf.jobs.preview.strategy.matrix.stack.sort()).toEqual(stacks);
  const previewStep = wf.jobs.preview.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
  expect(previewStep.with).toMatchObject({ command: "preview", "comment-on-pr": true, diff: true });
  expect(wf.jobs["up-dev"].environment).toBe("dev");
  expect(wf.jobs["up-prod"]).toMatchObject({ environment: "prod", needs: "up-dev" });
  expect(readFileSync(join(PROJECT_DIR, ".pulumi-version"), "utf8").trim()).toBe(JSON.parse(readFileSync(join(PROJECT_DIR, "package.json"), "utf8")).dependencies["@pulumi/pulumi"]);
});

function readdirStacks(): string[] {
  return ["dev", "prod"].filter((s) => existsSync(join(PROJECT_DIR, `Pulumi.${s}.yaml`))).sort();
}
