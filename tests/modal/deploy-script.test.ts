// The deploy script end to end against the fake `modal` CLI (which loads the app with the real SDK).
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { buildEndpoint } from "../../components/endpoint-spec.ts";
import { FAKE_MODAL_DIR } from "../support/project.ts";

const spec = buildEndpoint("coder", { model: "allenai/SERA-32B", gpu: "H100", maxModelLen: 16384, maxInputs: 8 }, { project: "cas", stack: "t", hasApiKey: true }).spec;
let state: string;
let home: string;
const env = (extra: Record<string, string> = {}) => ({
  PATH: `${FAKE_MODAL_DIR}:${process.env.PATH}`,
  HOME: home,
  FAKE_MODAL_STATE: state,
  MODAL_TOKEN_ID: "ak-test",
  MODAL_TOKEN_SECRET: "as-test",
  ENDPOINT_SPEC: JSON.stringify(spec),
  ...extra,
});
const run = (action: string, e = env(), input = "sk-secret-key-123") =>
  execa("node", ["components/modal/deploy.ts", action], { env: e, extendEnv: false, input, reject: false });
const calls = () => readFileSync(join(state, "calls.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as string[]);
const apps = () => JSON.parse(readFileSync(join(state, "state.json"), "utf8")).apps;

beforeEach(() => {
  state = mkdtempSync(join(tmpdir(), "fake-modal-"));
  home = mkdtempSync(join(tmpdir(), "home-"));
});

it("deploys, reads the URL back through the SDK, and prints one JSON line", async () => {
  const r = await run("deploy");
  expect(r.exitCode).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({ appName: "cas-t-coder", functionName: "serve", url: "https://fake-ws--cas-t-coder-serve.modal.run", openaiBaseUrl: "https://fake-ws--cas-t-coder-serve.modal.run/v1", ready: false });
  expect(r.stderr).toContain("[modal] ✓ App deployed");
  expect(calls().map((c) => c.slice(0, 2).join(" "))).toEqual(["secret create", "deploy " + join(process.cwd(), "components/modal/vllm_app.py"), "__web_url cas-t-coder"]);
  // the key went to modal through a private temp file, never on argv or into the output
  expect(JSON.stringify(calls())).not.toContain("sk-secret-key-123");
  expect(r.stdout + r.stderr).not.toContain("sk-secret-key-123");
  expect(apps()["main/cas-t-coder"].state).toBe("deployed");
});

it("fails with modal's own message when modal deploy exits 1, then recovers", async () => {
  writeFileSync(join(state, "fail-next-deploy"), "Image build for im-123 failed. See build logs for more details.");
  const bad = await run("deploy");
  expect(bad.exitCode).toBe(1);
  expect(bad.stderr).toContain("modal deploy cas-t-coder failed:\nError: Image build for im-123 failed. See build logs for more details.");
  expect(bad.stdout).toBe("");
  const good = await run("deploy");
  expect(good.exitCode).toBe(0);
});

it("stops the app and tolerates an app that is already stopped", async () => {
  await run("deploy");
  const first = await run("stop");
  expect(first.exitCode).toBe(0);
  expect(JSON.parse(first.stdout)).toMatchObject({ stopped: true, alreadyStopped: false });
  expect(apps()["main/cas-t-coder"].state).toBe("stopped");
  const again = await run("stop");
  expect(again.exitCode).toBe(0);
  expect(JSON.parse(again.stdout)).toMatchObject({ alreadyStopped: true });
  expect(again.stderr).toContain("App is already stopped.");
  expect(calls().filter((c) => c[0] === "app" && c[1] === "stop").every((c) => c.includes("--yes"))).toBe(true);
});

it("the fake behaves like modal without --yes and no TTY", async () => {
  await run("deploy");
  const r = await execa(join(FAKE_MODAL_DIR, "modal"), ["app", "stop", "cas-t-coder"], { env: env(), extendEnv: false, reject: false, input: "" });
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toContain("Aborted: no interactive terminal detected. Rerun with --yes (-y) to skip confirmation.");
});

it("stops before deploying when Modal credentials are missing, saying how to add them", async () => {
  const e = env();
  delete (e as Record<string, string>).MODAL_TOKEN_ID;
  delete (e as Record<string, string>).MODAL_TOKEN_SECRET;
  const r = await run("deploy", e);
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toContain("Modal credentials not found, so nothing was deployed.");
  expect(r.stderr).toContain("modal token new");
  expect(existsSync(join(state, "calls.log"))).toBe(false);
});

it("accepts credentials from ~/.modal.toml", async () => {
  writeFileSync(join(home, ".modal.toml"), '[default]\ntoken_id = "ak-x"\ntoken_secret = "as-x"\n');
  const e = env();
  delete (e as Record<string, string>).MODAL_TOKEN_ID;
  delete (e as Record<string, string>).MODAL_TOKEN_SECRET;
  const r = await run("deploy", e);
  expect(r.stderr).not.toContain("Modal credentials not found");
  expect(r.exitCode).toBe(0);
});

it("parallel deploys (Pulumi runs the endpoints' deploys at once) each keep their secret and app", async () => {
  const names = ["p1", "p2", "p3", "p4", "p5", "p6"];
  const rs = await Promise.all(names.map((n) => {
    const s = buildEndpoint(n, { model: "allenai/SERA-32B", gpu: "H100", maxModelLen: 16384 }, { project: "cas", stack: "t", hasApiKey: true }).spec;
    return run("deploy", env({ ENDPOINT_SPEC: JSON.stringify(s) }));
  }));
  expect(rs.map((r) => [r.exitCode, r.stderr.includes("Traceback")])).toEqual(names.map(() => [0, false]));
  expect(Object.keys(apps()).sort()).toEqual(names.map((n) => `main/cas-t-${n}`));
  expect(Object.keys(JSON.parse(readFileSync(join(state, "state.json"), "utf8")).secrets).sort()).toEqual(names.map((n) => `main/cas-t-${n}-vllm-api-key`));
});
