// `npm run smoke`: live checks against deployed endpoints. Targets come from CODER_BASE_URL / VLM_BASE_URL
// (with *_API_KEY, *_MODEL), else from the stack outputs in SMOKE_OUTPUTS (a `pulumi stack output --json
// --show-secrets` file). Without any, the run fails saying so: nothing here is skipped silently.
import { jest } from "@jest/globals";
import { readFileSync } from "node:fs";
import { checkHealth, checkImage, checkModels, checkStreamedChat, type Target } from "./checks.ts";

jest.setTimeout(900_000); // a cold start from zero takes minutes

const outputs = process.env.SMOKE_OUTPUTS ? JSON.parse(readFileSync(process.env.SMOKE_OUTPUTS, "utf8")) : {};
const proxy = { modalKey: process.env.MODAL_PROXY_TOKEN_ID, modalSecret: process.env.MODAL_PROXY_TOKEN_SECRET };
const target = (prefix: string, out: { baseUrl?: string; model?: string; apiKey?: string } | undefined, defaultModel: string): Target | undefined => {
  const baseUrl = process.env[`${prefix}_BASE_URL`] ?? out?.baseUrl;
  if (!baseUrl) return undefined;
  return { baseUrl: baseUrl.replace(/\/$/, ""), model: process.env[`${prefix}_MODEL`] ?? out?.model ?? defaultModel, apiKey: process.env[`${prefix}_API_KEY`] ?? out?.apiKey, ...proxy };
};
const coder = target("CODER", outputs.coder, "unsloth/Qwen3-Coder-Next-FP8-Dynamic");
const vlm = target("VLM", outputs.vlm, "Qwen/Qwen3-VL-32B-Thinking-FP8");

it("has endpoints to check", () => {
  if (!coder && !vlm) throw new Error("no endpoints given: set CODER_BASE_URL and/or VLM_BASE_URL (…/v1), or SMOKE_OUTPUTS=<stack outputs json>");
});

(coder ? describe : describe.skip)("coder", () => {
  it("is healthy (waits through a cold start)", () => checkHealth(coder!));
  it("lists its model", () => checkModels(coder!));
  it("streams a short completion", async () => expect((await checkStreamedChat(coder!)).chunks).toBeGreaterThan(0));
});

(vlm ? describe : describe.skip)("vlm", () => {
  it("is healthy (waits through a cold start)", () => checkHealth(vlm!));
  it("lists its model", () => checkModels(vlm!));
  it("answers about a generated image", async () => expect((await checkImage(vlm!)).toLowerCase()).toMatch(/red/));
});
