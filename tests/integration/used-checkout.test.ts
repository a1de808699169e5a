// The integration suite in a checkout the main job already ran in: `npm run preview` and `npm run up` write
// the passphrase provider's encryptionsalt and the generated keys into Pulumi.dev.yaml (and a passphrase into
// .pulumi-local/). Tests must not read or need any of it: here they run in such a checkout and pass, and the
// checkout's own stack still previews afterwards.
import { jest } from "@jest/globals";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { PROJECT_DIR } from "../../components/stack-config.ts";
import { FAKE_MODAL_DIR, withoutPulumiEnv } from "../support/project.ts";

jest.setTimeout(900_000);

// the key flows of the integration suite: deploy, update in place, destroy, no secret leaks; the preview and up scripts
const FILES = ["tests/integration/pulumi-up.test.ts", "tests/integration/scripts-cli.test.ts", "tests/components/program.test.ts"];
const FLOWS = ["up creates both endpoints", "a changed maxInputs previews as an update", "destroy stops both apps", "no plaintext secret", "prints pulumi preview --diff", "npm run up deploys a stack", "exports the outputs"];
// what a clone holds besides the tracked files: shared read-only here (packages, the venv, the engine's sources)
const LINKED = new Set(["node_modules", ".venv", "tools"]);
const SKIPPED = new Set([".git", ".cache", ".pulumi-local"]);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cas-used-"));
  for (const f of readdirSync(PROJECT_DIR)) {
    if (LINKED.has(f)) symlinkSync(join(PROJECT_DIR, f), join(dir, f));
    else if (!SKIPPED.has(f)) cpSync(join(PROJECT_DIR, f), join(dir, f), { recursive: true });
  }
});
afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

// the user's side: the embedded backend with its generated passphrase, the fake modal CLI standing in for Modal
const userEnv = () => ({
  ...withoutPulumiEnv(process.env),
  MODAL_BIN: join(FAKE_MODAL_DIR, "modal"),
  MODAL_TOKEN_ID: "ak-user",
  MODAL_TOKEN_SECRET: "as-user",
  FAKE_MODAL_STATE: join(dir, ".fake-modal"),
});
const npmRun = (args: string[]) => execa("npm", ["run", ...args], { cwd: dir, env: userEnv(), extendEnv: false, reject: false, stdin: "ignore", all: true });

it("npm run preview and npm run up leave the checkout's dev stack salted and with encrypted keys", async () => {
  const preview = await npmRun(["preview"]);
  expect(preview.all).toContain("Previewing update (dev)");
  expect(preview.exitCode).toBe(0);
  expect(readFileSync(join(dir, "Pulumi.dev.yaml"), "utf8")).toMatch(/^encryptionsalt: v1:/m);
  const up = await npmRun(["up", "--", "--yes"]);
  expect(up.all).toContain("Deployed.");
  expect(up.exitCode).toBe(0);
  expect(readFileSync(join(dir, "Pulumi.dev.yaml"), "utf8")).toMatch(/coding-agent-server:coderApiKey:\n\s+secure: v1:/);
});

it("then the integration suite's key flows pass in that checkout, whatever PULUMI_* the user exported", async () => {
  const before = readFileSync(join(dir, "Pulumi.dev.yaml"), "utf8");
  const { JEST_WORKER_ID: _worker, ...outer } = process.env;
  const env = {
    ...outer,
    // a user who exported the embedded backend's settings (the tests must use their own, not these)
    PULUMI_BACKEND_URL: `file://${join(dir, ".pulumi-local", "state")}`,
    PULUMI_CONFIG_PASSPHRASE_FILE: join(dir, ".pulumi-local", "passphrase"),
  };
  const pattern = FLOWS.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  const r = await execa("node", ["--experimental-vm-modules", "node_modules/jest/bin/jest.js", "--ci", ...FILES, "-t", pattern], { cwd: dir, env, extendEnv: false, reject: false, all: true });
  expect(r.all).not.toContain("incorrect passphrase");
  expect(r.all).toContain(`${FLOWS.length} passed, 0 failed`);
  expect(r.exitCode).toBe(0);
  // the tests changed nothing of the user's: the stack file is as the user left it, and it still previews
  expect(readFileSync(join(dir, "Pulumi.dev.yaml"), "utf8")).toBe(before);
  const again = await npmRun(["preview"]);
  expect(again.all).toMatch(/6 unchanged/);
  expect(again.exitCode).toBe(0);
});
