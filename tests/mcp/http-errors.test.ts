import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../../mcp/config.ts";
import { describeHttpFailure, serverMessage } from "../../mcp/vlm/http-errors.ts";

const base = { VLM_ENDPOINT: "https://ws--vlm.modal.run/v1" };
const cfg = (env: Record<string, string> = {}) => parseConfig({ ...base, ...env }).config;

describe("serverMessage", () => {
  it.each([
    ['{"error":"Unauthorized"}', "Unauthorized"], // vLLM --api-key middleware
    ['{"error":{"message":"bad image","type":"BadRequestError","param":null,"code":400}}', "bad image"], // vLLM ErrorResponse
    ['{"object":"error","message":"old style","type":"BadRequestError","code":400}', "old style"], // older vLLM
    ['{"detail":"Not Found"}', "Not Found"], // FastAPI
    ["modal-http: missing credentials for proxy authorization", "modal-http: missing credentials for proxy authorization"],
    ["", ""],
  ])("%s → %s", (body, msg) => {
    expect(serverMessage(body)).toBe(msg);
  });
});

describe("describeHttpFailure", () => {
  it.each([502, 503, 504, 429])("retries %i", (status) => {
    expect(describeHttpFailure(status, "", cfg()).retryable).toBe(true);
  });

  it.each([
    [401, '{"error":"Unauthorized"}', {}, /requires an API key .*set VLM_API_KEY/],
    [401, '{"error":"Unauthorized"}', { VLM_API_KEY: "x" }, /rejected VLM_API_KEY/],
    [401, "modal-http: missing credentials for proxy authorization", {}, /requires Modal proxy auth/],
    [401, "modal-http: invalid credentials for proxy authorization", { MODAL_PROXY_TOKEN_ID: "a", MODAL_PROXY_TOKEN_SECRET: "b" },
      /Modal proxy rejected MODAL_PROXY_TOKEN_ID\/MODAL_PROXY_TOKEN_SECRET/],
    [404, '{"detail":"Not Found"}', {}, /POST https:\/\/ws--vlm\.modal\.run\/v1\/chat\/completions answered 404: Not Found\. Check that VLM_ENDPOINT/],
    [500, "boom", {}, /failed with HTTP 500: boom\.$/],
  ])("%i %s", (status, body, env, expected) => {
    const f = describeHttpFailure(status, body, cfg(env));
    expect(f.retryable).toBe(false);
    expect(f.message).toMatch(expected);
  });

  it("never includes the credentials themselves", () => {
    const c = cfg({ VLM_API_KEY: "sk-abc", MODAL_PROXY_TOKEN_ID: "wk-id", MODAL_PROXY_TOKEN_SECRET: "ws-secret" });
    for (const body of ['{"error":"Unauthorized"}', "modal-http: invalid credentials for proxy authorization"]) {
      const m = describeHttpFailure(401, body, c).message;
      expect(m).not.toMatch(/sk-abc|wk-id|ws-secret/);
    }
  });
});

// the bodies vLLM 0.33's own code returns (recorded by tests/vllm/record-fixtures.py)
describe("vLLM 0.33's recorded length errors", () => {
  const recorded = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "vllm", "errors.json"), "utf8")) as { id: string; status: number; body: string; maxModelLen?: number }[];
  const body = (id: string) => recorded.find((e) => e.id === id)!;

  it("max_tokens above the window names VLM_MAX_TOKENS and the window", () => {
    const e = body("max-tokens-above-window");
    const m = describeHttpFailure(e.status, e.body, cfg({ VLM_MAX_TOKENS: "100" })).message;
    expect(m).toContain(`VLM_MAX_TOKENS (100) is above the endpoint's context length (${e.maxModelLen} tokens): lower it or leave it unset.`);
  });

  it.each(["prompt-above-window", "prompt-fills-window"])("%s: the images and prompt do not fit", (id) => {
    const e = body(id);
    expect(describeHttpFailure(e.status, e.body, cfg()).message).toContain("lower VLM_IMAGE_TOKENS or send fewer images");
  });
});
