// `npm run status` (runtime/status/main.ts) against a stack the real Pulumi engine deployed to the fake `modal`
// CLI: the specs from the stack's Pulumi.<stack>.yaml, the URLs and keys from `pulumi stack output`, the apps and
// containers from the fake's `modal app list --json` / `modal container list --json` (the real CLI's output,
// see tests/modal/fake-modal-json.test.ts). Nothing is fetched unless --check-keys is given; then each endpoint's
// /v1/models is asked with the stack's key, served by vLLM stubs (one with another key: vLLM's 401).
import { jest } from "@jest/globals";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Stack } from "@pulumi/pulumi/automation/index.js";
import { execa } from "execa";
import { buildEndpoint } from "../../components/endpoint-spec.ts";
import { loadStackEndpointConfig } from "../../components/stack-config.ts";
import { findOnPath } from "../../lib/which.ts";
import { modalRunner } from "../../runtime/status/modal-state.ts";
import { status } from "../../runtime/status/main.ts";
import type { EndpointStatus } from "../../runtime/status/report.ts";
import { engineProject, type EngineProject } from "../support/engine-project.ts";
import { FAKE_MODAL_DIR } from "../support/project.ts";
import { createVllmStub } from "../support/vllm-stub.ts";

jest.setTimeout(300_000);

const CODER_KEY = "sk-status-coder-3e7a";
const VLM_KEY = "sk-status-vlm-9c1b";
const STACK = "st";
let p: EngineProject;
let stack: Stack;
const fetched: string[] = [];
const coderStub = createVllmStub({ model: "unsloth/Qwen3-Coder-Next-FP8-Dynamic", apiKey: CODER_KEY });
const vlmStub = createVllmStub({ model: "Qwen/Qwen3-VL-32B-Thinking-FP8", apiKey: "sk-rotated-since" });
// *.modal.run resolved to the stubs: the coder's web URL to one (behind Modal's 503 for its first two requests,
// a container still starting), the vlm's to the other
let coderColdLeft = 2;
const modalDns: typeof fetch = async (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  fetched.push(url);
  if (!url.includes("-coder-serve.")) return vlmStub.fetch(url, init);
  if (coderColdLeft-- > 0) return new Response("503 Service Unavailable", { status: 503 });
  return coderStub.fetch(url, init);
};

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const pulumi = findOnPath("pulumi", p.env.PATH)!;
  const code = await status(["--stack", STACK, ...argv], {
    env: p.env,
    projectDir: p.dir,
    locatePulumi: async () => ({ bin: pulumi, env: p.env }),
    runModal: modalRunner(p.env),
    fetch: modalDns,
    out: (t) => out.push(t),
    err: (l) => err.push(l),
    keyCheckIntervalMs: 20,
  });
  return { code, out: out.join("\n"), err };
}
const json = async (...argv: string[]) => {
  const r = await run("--json", ...argv);
  return { ...r, endpoints: (JSON.parse(r.out) as { endpoints: EndpointStatus[] }).endpoints };
};
const byName = (rows: EndpointStatus[], name: string) => rows.find((r) => r.endpoint === name)!;
const modalCalls = () => readFileSync(join(p.modalState, "calls.log"), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as string[]).slice(0, 2).join(" "));
const fakeModal = (...args: string[]) => execa(join(FAKE_MODAL_DIR, "modal"), args, { env: p.env, extendEnv: false });

beforeAll(async () => {
  p = await engineProject();
  stack = await p.stack(STACK);
  await stack.setConfig("coding-agent-server:coderApiKey", { value: CODER_KEY, secret: true });
  await stack.setConfig("coding-agent-server:vlmApiKey", { value: VLM_KEY, secret: true });
});
afterAll(() => p?.cleanup());

it("before the first up: no stack outputs, nothing on Modal; a stack the backend does not have says so", async () => {
  const { code, endpoints, out } = await json();
  expect(code).toBe(0);
  expect(JSON.parse(out).outputsProblem).toBeUndefined();
  expect(endpoints.map((e) => [e.endpoint, e.deployed, e.inStackOutputs])).toEqual([
    ["coder", "not deployed", false],
    ["vlm", "not deployed", false],
    ["sera", "not deployed", false],
  ]);
  writeFileSync(join(p.dir, "Pulumi.ghost.yaml"), readFileSync(join(p.dir, `Pulumi.${STACK}.yaml`)));
  const ghost = await run("--stack", "ghost");
  expect(ghost.out).toContain("  no stack outputs (pulumi: error: no stack named 'ghost' found)");
  expect(ghost.out).toMatch(/^coder +not deployed +- +H200:1/m);
});

it("after up: deployed, the outputs' URLs, the config's GPUs and their prices, nothing warm, nothing woken", async () => {
  const up = await stack.up();
  expect(up.summary.result).toBe("succeeded");
  const before = modalCalls().length;
  const { code, out } = await run();
  expect(code).toBe(0);
  const lines = out.split("\n");
  expect(lines[0]).toBe(`stack ${STACK}`);
  expect(lines[1]).toMatch(/^endpoint +deployed +URL +GPU +warm +cost now +key$/);
  expect(lines[2]).toMatch(new RegExp(`^coder +deployed +${up.outputs.coder!.value.baseUrl.replace(/[.]/g, "\\.")} +H200:1 \\(\\$4\\.54/h warm\\) +0 +\\$0\\.00/h +not checked \\(--check-keys\\)$`));
  expect(lines[3]).toMatch(/^vlm +deployed +https:\/\/fake-ws--coding-agent-server-st-vlm-serve\.modal\.run\/v1 +A100-80GB:1 \(\$2\.50\/h warm\) +0 +\$0\.00\/h/);
  expect(lines[4]).toMatch(/^sera +not deployed +- +H100:1 \(\$3\.95\/h warm\) +0 +\$0\.00\/h/);
  expect(out).toContain("sera: not enabled in the stack config (sera --modal deploys it on demand)");
  expect(lines.at(-1)).toBe("now: $0.00/hour for 0 warm container(s); $0 once scaled to zero");
  // two control-plane lists, the default environment only once; no request to any endpoint
  expect(modalCalls().slice(before)).toEqual(["app list", "container list"]);
  expect(fetched).toEqual([]);
  expect(out).not.toContain(CODER_KEY);
});

it("warm and starting containers: counted per app, only the started ones billed", async () => {
  await fakeModal("__containers", "coding-agent-server-st-coder", "1", "1");
  const { endpoints, out } = await json();
  expect(byName(endpoints, "coder")).toMatchObject({ deployed: "deployed", warmContainers: 1, pendingContainers: 1, usdPerHourNow: 4.54, gpu: "H200:1" });
  expect(byName(endpoints, "vlm")).toMatchObject({ warmContainers: 0, usdPerHourNow: 0 });
  expect(out).not.toContain(CODER_KEY);
  const text = (await run()).out;
  expect(text).toMatch(/coder .* 1 \(\+1 starting\) +\$4\.54\/h/);
  expect(text.split("\n").at(-1)).toBe("now: $4.54/hour for 1 warm container(s); $0 once scaled to zero");
});

it("--check-keys asks each endpoint's /v1/models with the stack's key, through the cold start, with progress", async () => {
  const { code, endpoints, err } = await json("--check-keys");
  expect(byName(endpoints, "coder").key).toEqual({ result: "works", detail: "/v1/models answered 200 with the stack's key" });
  expect(byName(endpoints, "vlm").key).toEqual({
    result: "fails",
    detail: "https://fake-ws--coding-agent-server-st-vlm-serve.modal.run/v1/models answered 401: check the API key / Modal proxy token",
  });
  expect(byName(endpoints, "sera").key).toBeUndefined(); // no output, nothing to ask
  expect(code).toBe(1);
  expect(err[0]).toMatch(/^coder: GET https:\/\/fake-ws--coding-agent-server-st-coder-serve\.modal\.run\/v1\/models with the stack's key \(wakes the GPU if it is scaled to zero; a cold start takes minutes, up to 1200s\)$/);
  expect(err.filter((l) => l.startsWith("coder: waiting for"))).toHaveLength(2); // the stub's two cold 503s
  expect(fetched.filter((u) => u.includes("-coder-serve."))).toHaveLength(3);
  expect(err.join("\n")).not.toContain(CODER_KEY);
});

it("an app stopped outside Pulumi, and a live `sera --modal` session of the stack", async () => {
  await fakeModal("app", "stop", "coding-agent-server-st-vlm", "--yes");
  const sera = loadStackEndpointConfig(STACK, p.dir).seraConfigured!;
  const session = buildEndpoint("sera", { ...sera, appName: "coding-agent-server-st-sera-session-ab12cd34" }, { project: "coding-agent-server", stack: STACK, hasApiKey: true }).spec;
  const deployed = await execa("node", ["components/modal/deploy.ts", "deploy"], { cwd: p.dir, env: { ...p.env, ENDPOINT_SPEC: JSON.stringify(session) }, extendEnv: false, input: "sk-session", reject: false });
  expect(deployed.exitCode).toBe(0);
  await fakeModal("__containers", session.appName, "1");
  const { endpoints, out } = await json();
  expect(byName(endpoints, "vlm")).toMatchObject({ deployed: "stopped", warmContainers: 0, usdPerHourNow: 0 });
  expect(byName(endpoints, "vlm").notes[0]).toMatch(/^stopped at .*; the stack still lists it: run `npm run up` to deploy it again$/);
  expect(byName(endpoints, "sera session ab12cd34")).toMatchObject({ deployed: "deployed", gpu: "H100:1", warmContainers: 1, usdPerHourNow: 3.95 });
  expect(out).not.toContain("sk-session");
  const text = (await run()).out;
  expect(text.split("\n").at(-1)).toBe("now: $8.49/hour for 2 warm container(s); $0 once scaled to zero");
});

it("Modal unreachable without credentials: the specs and URLs still show, the state says why it is unknown", async () => {
  const saved = { id: p.env.MODAL_TOKEN_ID, secret: p.env.MODAL_TOKEN_SECRET };
  p.env.MODAL_TOKEN_ID = "";
  p.env.MODAL_TOKEN_SECRET = "";
  try {
    const { out } = await run();
    expect(out).toMatch(/^coder +unknown +https:\/\/fake-ws--coding-agent-server-st-coder-serve\.modal\.run\/v1 +H200:1 \(\$4\.54\/h warm\) +\? +\?/m);
    expect(out).toContain("  coder, vlm, sera: modal app list failed: Error: Token missing. Could not authenticate client.");
    expect(out.split("\n").at(-1)).toBe("now: $0.00/hour for 0 warm container(s) (some endpoints unknown); $0 once scaled to zero");
  } finally {
    p.env.MODAL_TOKEN_ID = saved.id!;
    p.env.MODAL_TOKEN_SECRET = saved.secret!;
  }
});
