// `pulumi up` for real: the Pulumi engine (Automation API, LocalWorkspace) runs index.ts on a throwaway file
// backend, with the fake `modal` CLI first on PATH. Steps build on each other, in order.
import { jest } from "@jest/globals";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation/index.js";
import { execa } from "execa";
import { stepFromEvent, summarizePreview, type PreviewStep } from "../../scripts/preview-summary.ts";
import { engineProject, type EngineProject } from "../support/engine-project.ts";
import { FAKE_MODAL_DIR } from "../support/project.ts";

jest.setTimeout(300_000);

const CODER_KEY = "sk-it-coder-6f1d2c9a8b7e";
const VLM_KEY = "sk-it-vlm-0a9b8c7d6e5f";
let p: EngineProject;
let stack: Stack;
const transcript: string[] = []; // every line pulumi printed, searched for secrets at the end

const apps = () => JSON.parse(readFileSync(join(p.modalState, "state.json"), "utf8")).apps as Record<string, any>;
const calls = () => readFileSync(join(p.modalState, "calls.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as string[]);
const log = (s: string) => transcript.push(s);
async function setCoder(patch: object) {
  const cfg = JSON.parse((await stack.getConfig("coding-agent-server:coder")).value);
  await stack.setConfig("coding-agent-server:coder", { value: JSON.stringify({ ...cfg, ...patch }) });
}
async function previewSteps() {
  const steps: PreviewStep[] = [];
  const onEvent = (e: EngineEvent) => {
    const step = stepFromEvent(e);
    if (step) steps.push(step);
  };
  const r = await stack.preview({ diff: true, onOutput: log, onEvent });
  return { ...r, steps };
}

beforeAll(async () => {
  p = await engineProject();
  stack = await p.stack("it");
  await stack.setConfig("coding-agent-server:coderApiKey", { value: CODER_KEY, secret: true });
  await stack.setConfig("coding-agent-server:vlmApiKey", { value: VLM_KEY, secret: true });
});
afterAll(() => p?.cleanup());

it("up creates both endpoints; outputs carry URLs and models; secrets are secret", async () => {
  const up = await stack.up({ onOutput: log });
  expect(up.summary.result).toBe("succeeded");
  expect(up.summary.resourceChanges).toMatchObject({ create: 6 }); // stack + 3 components + 2 commands
  const { coder, vlm, vlmMcpServer } = up.outputs;
  // the key is secret inside each output object; URLs and models stay readable
  const masked = JSON.parse((await execa("pulumi", ["stack", "output", "--json", "--stack", "it"], { cwd: p.dir, env: p.env })).stdout);
  expect(masked.coder).toEqual({ baseUrl: coder.value.baseUrl, model: coder.value.model, apiKey: "[secret]" });
  expect(masked.vlm.apiKey).toBe("[secret]");
  expect(masked.vlmMcpServer).toBe("[secret]");
  expect(coder.value).toEqual({ baseUrl: "https://fake-ws--coding-agent-server-it-coder-serve.modal.run/v1", model: "unsloth/Qwen3-Coder-Next-FP8-Dynamic", apiKey: CODER_KEY });
  expect(vlm.value).toMatchObject({ baseUrl: "https://fake-ws--coding-agent-server-it-vlm-serve.modal.run/v1", model: "Qwen/Qwen3-VL-32B-Thinking-FP8", maxImagesPerPrompt: 5, apiKey: VLM_KEY });
  expect(vlmMcpServer.secret).toBe(true);
  expect(vlmMcpServer.value.env.VLM_ENDPOINT).toBe(vlm.value.baseUrl);
  expect(up.outputs.sera).toBeUndefined();
  expect(Object.keys(apps()).sort()).toEqual(["main/coding-agent-server-it-coder", "main/coding-agent-server-it-vlm"]);
  expect(Object.values(apps()).every((a) => a.state === "deployed")).toBe(true);
});

it("a changed maxInputs previews as an update of the coder only, and up redeploys it in place", async () => {
  await setCoder({ maxInputs: 64 });
  const pv = await previewSteps();
  expect(pv.changeSummary).toMatchObject({ update: 1 });
  expect(pv.changeSummary.create ?? 0).toBe(0);
  expect(pv.changeSummary.replace ?? 0).toBe(0);
  const changed = pv.steps.filter((s) => s.op !== "same");
  expect(changed.map((s) => s.urn.split("::").pop())).toEqual(["coder-deploy"]);
  expect(summarizePreview("it", pv.steps).markdown).toContain("| `coder-deploy` | `command:local:Command` | update | spec scaling.maxInputs: 128 → 64 |");

  const before = calls().length;
  const up = await stack.up({ onOutput: log });
  expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
  const newCalls = calls().slice(before);
  expect(newCalls.filter((c) => c[0] === "deploy")).toHaveLength(1);
  expect(newCalls.some((c) => c[0] === "app" && c[1] === "stop")).toBe(false); // never stops the fresh app
  expect(apps()["main/coding-agent-server-it-coder"]).toMatchObject({ state: "deployed", deploys: 2 });
  expect(JSON.parse(apps()["main/coding-agent-server-it-coder"].spec).scaling.maxInputs).toBe(64);
});

it("a changed GPU also updates in place", async () => {
  await setCoder({ gpu: "B200" });
  const pv = await previewSteps();
  expect(pv.changeSummary).toMatchObject({ update: 1 });
  const before = calls().length;
  await stack.up({ onOutput: log });
  expect(calls().slice(before).some((c) => c[0] === "app" && c[1] === "stop")).toBe(false);
  expect(JSON.parse(apps()["main/coding-agent-server-it-coder"].spec).gpu).toBe("B200:1");
  expect(apps()["main/coding-agent-server-it-coder"].state).toBe("deployed");
});

it("a failing modal deploy fails up with modal's message; the next up recovers", async () => {
  await setCoder({ scaledownWindow: 600 });
  writeFileSync(join(p.modalState, "fail-next-deploy"), "Image build for im-4f2a failed. See build logs for more details.");
  let message = "";
  try {
    await stack.up({ onOutput: log });
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toContain("Image build for im-4f2a failed. See build logs for more details.");
  const up = await stack.up({ onOutput: log });
  expect(up.summary.result).toBe("succeeded");
  expect(JSON.parse(apps()["main/coding-agent-server-it-coder"].spec).scaling.scaledownWindow).toBe(600);
});

it("an invalid config fails preview naming the key", async () => {
  const good = (await stack.getConfig("coding-agent-server:coder")).value;
  await setCoder({ gpu: "H300", maxInput: 3, toolCallParser: "qwen3_codr" });
  await expect(stack.preview({ onOutput: log })).rejects.toThrow(
    /coding-agent-server:coder\.gpu: unknown GPU "H300"[\s\S]*coding-agent-server:coder\.maxInput: unknown key[\s\S]*coding-agent-server:coder\.toolCallParser: vLLM 0\.33\.0 has no tool call parser "qwen3_codr"; valid: [\w, -]*\bqwen3_coder\b/,
  );
  await stack.setConfig("coding-agent-server:coder", { value: good });
});

it("a coder on an A100-40GB fails preview: its weights alone do not fit", async () => {
  const good = (await stack.getConfig("coding-agent-server:coder")).value;
  await setCoder({ gpu: "A100-40GB" });
  await expect(stack.preview({ onOutput: log })).rejects.toThrow(/coder: unsloth\/Qwen3-Coder-Next-FP8-Dynamic on A100-40GB:1 does not fit: its weights alone \(75\.1 GiB\) plus overhead \(2\.0 GiB\) exceed the 36\.0 GiB vLLM may use/);
  await stack.setConfig("coding-agent-server:coder", { value: good });
});

it("a VLM that cannot fit its GPU fails preview with the numbers", async () => {
  const good = (await stack.getConfig("coding-agent-server:vlm")).value;
  await stack.setConfig("coding-agent-server:vlm", { value: JSON.stringify({ ...JSON.parse(good), gpu: "A100-40GB" }) });
  await expect(stack.preview({ onOutput: log })).rejects.toThrow(/vlm: Qwen\/Qwen3-VL-32B-Thinking-FP8 on A100-40GB:1 does not fit: .*\(40\.0 GiB × 0\.9 = 36\.0 GiB − weights 33\.1 GiB − overhead 3\.0 GiB = KV budget -0\.1 GiB/);
  await stack.setConfig("coding-agent-server:vlm", { value: good });
});

it("destroy stops both apps, even one already stopped outside Pulumi", async () => {
  const env = { ...p.env, PATH: `${FAKE_MODAL_DIR}:${p.env.PATH}` };
  await execa(join(FAKE_MODAL_DIR, "modal"), ["app", "stop", "coding-agent-server-it-vlm", "--yes"], { env });
  const r = await stack.destroy({ onOutput: log });
  expect(r.summary.result).toBe("succeeded");
  expect(Object.values(apps()).map((a) => a.state)).toEqual(["stopped", "stopped"]);
});

it("the prod stack previews too", async () => {
  const prod = await p.stack("it-prod", "prod");
  const pv = await prod.preview({ onOutput: log });
  expect(pv.changeSummary).toMatchObject({ create: 6 });
});

it("no plaintext secret in the state files or in any preview/up/destroy output", () => {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const full = join(d, f);
      if (statSync(full).isDirectory()) walk(full);
      else files.push(full);
    }
  };
  walk(p.backendDir);
  expect(files.some((f) => f.endsWith(".json") && f.includes("stacks"))).toBe(true);
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    expect(text).not.toContain(CODER_KEY);
    expect(text).not.toContain(VLM_KEY);
  }
  const all = transcript.join("");
  expect(all.length).toBeGreaterThan(1000);
  expect(all).not.toContain(CODER_KEY);
  expect(all).not.toContain(VLM_KEY);
});
