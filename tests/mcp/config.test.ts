import { DEFAULT_MODEL, parseConfig } from "../../mcp/config.ts";

describe("parseConfig", () => {
  it("applies the documented defaults", () => {
    const { config, problem } = parseConfig({ VLM_ENDPOINT: "https://ws--vlm.modal.run/v1" });
    expect(problem).toBeUndefined();
    expect(config).toEqual({
      endpoint: "https://ws--vlm.modal.run/v1",
      model: DEFAULT_MODEL,
      timeoutMs: 300_000,
      apiKey: undefined,
      modalProxy: undefined,
      maxImages: 5,
      imageTokens: 1280,
      maxTokens: undefined,
      progressIntervalMs: 5000,
    });
    expect(DEFAULT_MODEL).toBe("Qwen/Qwen3-VL-32B-Thinking-FP8");
  });

  it("reads every variable", () => {
    const { config, problem } = parseConfig({
      VLM_ENDPOINT: "http://127.0.0.1:8000/v1/",
      VLM_MODEL: "m",
      VLM_TIMEOUT: "12.5",
      VLM_API_KEY: "k",
      MODAL_PROXY_TOKEN_ID: "wk-1",
      MODAL_PROXY_TOKEN_SECRET: "ws-1",
      VLM_MAX_IMAGES: "8",
      VLM_IMAGE_TOKENS: "2048",
      VLM_MAX_TOKENS: "4096",
      VLM_PROGRESS_INTERVAL: "0.5",
    });
    expect(problem).toBeUndefined();
    expect(config).toEqual({
      endpoint: "http://127.0.0.1:8000/v1", // trailing slash dropped
      model: "m",
      timeoutMs: 12_500,
      apiKey: "k",
      modalProxy: { tokenId: "wk-1", tokenSecret: "ws-1" },
      maxImages: 8,
      imageTokens: 2048,
      maxTokens: 4096,
      progressIntervalMs: 500,
    });
  });

  it("treats blank values as unset", () => {
    const { config } = parseConfig({ VLM_ENDPOINT: "http://h/v1", VLM_MODEL: " ", VLM_MAX_IMAGES: "", VLM_API_KEY: "" });
    expect([config.model, config.maxImages, config.apiKey]).toEqual([DEFAULT_MODEL, 5, undefined]);
  });

  it.each([
    [{}, /^VLM_ENDPOINT is not set/],
    [{ VLM_ENDPOINT: "http://h:8000" }, /ending in \/v1/],
    [{ VLM_ENDPOINT: "ftp://h/v1" }, /must be an http\(s\) URL/],
    [{ VLM_ENDPOINT: "http://h/v1", VLM_TIMEOUT: "-1" }, /VLM_TIMEOUT must be > 0 seconds/],
    [{ VLM_ENDPOINT: "http://h/v1", VLM_MAX_IMAGES: "2.5" }, /VLM_MAX_IMAGES must be a whole number/],
    [{ VLM_ENDPOINT: "http://h/v1", VLM_IMAGE_TOKENS: "32" }, /VLM_IMAGE_TOKENS must be at least 64/],
    [{ VLM_ENDPOINT: "http://h/v1", VLM_IMAGE_TOKENS: "99999" }, /VLM_IMAGE_TOKENS must be at most 16384/],
    [{ VLM_ENDPOINT: "http://h/v1", MODAL_PROXY_TOKEN_SECRET: "ws" }, /must be set together/],
  ])("reports %j", (env, expected) => {
    expect(parseConfig(env).problem).toMatch(expected);
  });
});
