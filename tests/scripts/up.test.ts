import { mkdtempSync, statSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { backendPlan, prepareBackend } from "../../scripts/backend.ts";

it("npm run up without Modal credentials stops before deploying and says how to add them", async () => {
  const home = mkdtempSync(join(tmpdir(), "home-"));
  const env = { PATH: process.env.PATH!, HOME: home };
  const r = await execa("node", ["scripts/up.ts"], { env, extendEnv: false, reject: false });
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toContain("Modal credentials not found, so nothing was deployed.");
  expect(r.stderr).toContain("modal token new");
  expect(r.stderr).toContain("MODAL_TOKEN_ID and MODAL_TOKEN_SECRET");
});

describe("the embedded backend", () => {
  it("defaults to a file backend inside the project with a generated passphrase file", () => {
    const plan = backendPlan({}, "/p/.pulumi-local");
    expect(plan).toEqual({ local: true, env: { PULUMI_BACKEND_URL: "file:///p/.pulumi-local/state", PULUMI_CONFIG_PASSPHRASE_FILE: "/p/.pulumi-local/passphrase" }, passphraseFile: "/p/.pulumi-local/passphrase" });
  });
  it("follows PULUMI_BACKEND_URL and a given passphrase unchanged", () => {
    expect(backendPlan({ PULUMI_BACKEND_URL: "s3://bucket/state", PULUMI_CONFIG_PASSPHRASE: "x" }, "/p")).toEqual({ local: false, env: { PULUMI_BACKEND_URL: "s3://bucket/state" } });
    expect(backendPlan({ PULUMI_CONFIG_PASSPHRASE_FILE: "/k" }, "/p").env.PULUMI_CONFIG_PASSPHRASE_FILE).toBeUndefined();
  });
  it("writes the passphrase once, mode 0600", () => {
    const dir = mkdtempSync(join(tmpdir(), "backend-"));
    const env = prepareBackend({}, dir);
    const file = env.PULUMI_CONFIG_PASSPHRASE_FILE;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const first = readFileSync(file, "utf8");
    expect(first.trim().length).toBeGreaterThanOrEqual(32);
    prepareBackend({}, dir);
    expect(readFileSync(file, "utf8")).toBe(first);
    expect(statSync(join(dir, "state")).isDirectory()).toBe(true);
  });
});
