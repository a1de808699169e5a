// The fake `modal` CLI's JSON lists judged by the REAL modal 1.6.4 CLI: apps are deployed and stopped through
// the fake (by our deploy script), containers started with its hook, then `modal app list --json` and
// `modal container list --json` run both in the fake and in the real CLI (tests/modal/real_cli_json.py: modal's
// own entry point with only the server replaced by protos built from the same state). stdout must match byte
// for byte, in a time zone that is not UTC, since modal prints local times.
import { jest } from "@jest/globals";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { buildEndpoint } from "../../components/endpoint-spec.ts";
import { FAKE_MODAL_DIR, VENV_PYTHON } from "../support/project.ts";

jest.setTimeout(120_000);

const specOf = (name: string, gpu: string) => buildEndpoint(name, { model: "allenai/SERA-32B", gpu, maxModelLen: 16384 }, { project: "cas", stack: "t", hasApiKey: true }).spec;
const coder = specOf("coder", "H100");
const vlm = specOf("vlm", "A100-80GB");
let state: string;
let home: string;
const env = (extra: Record<string, string> = {}) => ({
  PATH: `${FAKE_MODAL_DIR}:${process.env.PATH}`,
  HOME: home,
  TZ: "Asia/Kolkata",
  FAKE_MODAL_STATE: state,
  MODAL_TOKEN_ID: "ak-test",
  MODAL_TOKEN_SECRET: "as-test",
  ...extra,
});
const fake = (...args: string[]) => execa(join(FAKE_MODAL_DIR, "modal"), args, { env: env(), extendEnv: false, reject: false });
const real = (...args: string[]) => execa(VENV_PYTHON, [join(import.meta.dirname, "real_cli_json.py"), ...args], { env: env(), extendEnv: false, reject: false });
const appId = (name: string): string => JSON.parse(readFileSync(join(state, "state.json"), "utf8")).apps[`main/${name}`].app_id;

async function expectSameOutput(...args: string[]) {
  const [f, r] = await Promise.all([fake(...args), real(...args)]);
  expect(r.stderr).toBe("");
  expect({ exitCode: f.exitCode, stdout: f.stdout }).toEqual({ exitCode: r.exitCode, stdout: r.stdout });
  return JSON.parse(f.stdout) as Array<Record<string, string | null>>;
}

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), "fake-modal-json-"));
  home = mkdtempSync(join(tmpdir(), "home-"));
  for (const spec of [coder, vlm]) {
    const r = await execa("node", ["components/modal/deploy.ts", "deploy"], { env: env({ ENDPOINT_SPEC: JSON.stringify(spec) }), extendEnv: false, input: "sk-key", reject: false });
    expect(r.exitCode).toBe(0);
  }
});
afterAll(() => {
  for (const d of [state, home]) rmSync(d, { recursive: true, force: true });
});

it("app list --json: deployed apps, no containers", async () => {
  const rows = await expectSameOutput("app", "list", "--json");
  expect(rows.map((r) => [r.description, r.state, r.tasks])).toEqual(expect.arrayContaining([["cas-t-coder", "deployed", "0"], ["cas-t-vlm", "deployed", "0"]]));
  expect(rows[0]!.created_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+05:30$/);
  expect(await expectSameOutput("container", "list", "--json")).toEqual([]);
});

it("with warm and starting containers, one app stopped; per app and in another environment", async () => {
  expect((await fake("__containers", "cas-t-coder", "2", "1")).exitCode).toBe(0);
  expect((await fake("app", "stop", "cas-t-vlm", "--yes")).exitCode).toBe(0);
  const apps = await expectSameOutput("app", "list", "--json");
  // the real CLI sorts by running tasks, then creation time, descending
  expect(apps.map((r) => [r.description, r.state, r.tasks])).toEqual([["cas-t-coder", "deployed", "2"], ["cas-t-vlm", "stopped", "0"]]);
  expect(apps[1]!.stopped_at).toMatch(/\+05:30$/);
  const containers = await expectSameOutput("container", "list", "--json");
  expect(containers.map((c) => [c.app_name, c.app_id, c.start_time === "Pending"])).toEqual([
    ["cas-t-coder", appId("cas-t-coder"), false],
    ["cas-t-coder", appId("cas-t-coder"), false],
    ["cas-t-coder", appId("cas-t-coder"), true],
  ]);
  expect(Object.keys(containers[0]!)).toEqual(["container_id", "app_id", "app_name", "start_time"]);
  expect(await expectSameOutput("container", "list", "--json", "--app-id", appId("cas-t-vlm"))).toEqual([]);
  expect(await expectSameOutput("app", "list", "--json", "-e", "staging")).toEqual([]);
});

it("without credentials: the real CLI's error and exit code", async () => {
  const noToken = { ...env(), MODAL_TOKEN_ID: "", MODAL_TOKEN_SECRET: "" };
  const [f, r] = await Promise.all([
    execa(join(FAKE_MODAL_DIR, "modal"), ["app", "list", "--json"], { env: noToken, extendEnv: false, reject: false }),
    execa(join(VENV_PYTHON, "..", "modal"), ["app", "list", "--json"], { env: noToken, extendEnv: false, reject: false }),
  ]);
  expect(r.exitCode).toBe(1);
  expect({ exitCode: f.exitCode, stdout: f.stdout, stderr: f.stderr }).toEqual({ exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr });
  expect(f.stderr).toMatch(/^Error: Token missing\. Could not authenticate client\./);
});
