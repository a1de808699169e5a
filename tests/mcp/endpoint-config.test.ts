// Configuration and endpoint failures, each with its own server process and env: every one must come back as an
// isError result that names what to change, and the server must stay up afterwards.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { screenshotPng } from "../fixtures/images/generate.ts";
import { VlmStub, type StubOptions } from "../support/vlm-stub.ts";
import { callTool, closedPort, serverEnv, spawnServer, textOf, type Spawned } from "./support.ts";

let dir: string;
let shot: string;
const stubs: VlmStub[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vlm-mcp-cfg-"));
  shot = join(dir, "shot.png");
  await writeFile(shot, await screenshotPng(1920, 1080));
});

afterAll(async () => {
  await Promise.all(stubs.map((s) => s.stop()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function newStub(opts: StubOptions = {}): Promise<VlmStub> {
  const s = await new VlmStub(opts).start();
  stubs.push(s);
  return s;
}

async function withServer<T>(env: Record<string, string | undefined>, fn: (srv: Spawned) => Promise<T>): Promise<T> {
  const srv = await spawnServer(serverEnv(env));
  try {
    const out = await fn(srv);
    await srv.client.ping(); // still up
    expect(srv.protocolErrors).toEqual([]);
    return out;
  } finally {
    await srv.close();
  }
}

const analyze = (srv: Spawned) => callTool(srv.client, "analyze_image", { image_path: shot, prompt: "What is this?" });

describe("configuration", () => {
  it("VLM_ENDPOINT unset: the server starts, lists its tools, and every call says to set it", async () => {
    await withServer({}, async (srv) => {
      expect((await srv.client.listTools()).tools).toHaveLength(3);
      const { result } = await analyze(srv);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/^VLM_ENDPOINT is not set: set it in the MCP server's env .* ending in \/v1\.$/);
      expect(srv.stderr()).toMatch(/VLM_ENDPOINT is not set/);
    });
  });

  it.each([
    ["VLM_ENDPOINT without /v1", { VLM_ENDPOINT: "http://127.0.0.1:8000" }, /VLM_ENDPOINT must be the base URL ending in \/v1/],
    ["VLM_ENDPOINT not a URL", { VLM_ENDPOINT: "localhost-8000" }, /VLM_ENDPOINT must be an http\(s\) URL/],
    ["VLM_TIMEOUT not a number", { VLM_ENDPOINT: "http://127.0.0.1:1/v1", VLM_TIMEOUT: "soon" }, /VLM_TIMEOUT must be a number of seconds/],
    ["VLM_MAX_IMAGES zero", { VLM_ENDPOINT: "http://127.0.0.1:1/v1", VLM_MAX_IMAGES: "0" }, /VLM_MAX_IMAGES must be at least 1/],
    ["half a Modal proxy token", { VLM_ENDPOINT: "http://127.0.0.1:1/v1", MODAL_PROXY_TOKEN_ID: "wk-1" },
      /MODAL_PROXY_TOKEN_ID and MODAL_PROXY_TOKEN_SECRET must be set together/],
  ])("%s is reported in the tool result", async (_label, env, expected) => {
    await withServer(env, async (srv) => {
      const { result } = await analyze(srv);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(expected);
    });
  });

  it("VLM_MAX_IMAGES sets compare_images' limit", async () => {
    const stub = await newStub({ limitImages: 3 });
    await withServer({ VLM_ENDPOINT: stub.endpoint, VLM_MAX_IMAGES: "3" }, async (srv) => {
      const tool = (await srv.client.listTools()).tools.find((t) => t.name === "compare_images")!;
      expect((tool.inputSchema.properties!.image_paths as { maxItems: number }).maxItems).toBe(3);
      const ok = await callTool(srv.client, "compare_images", { image_paths: [shot, shot, shot], prompt: "x" });
      expect(textOf(ok.result)).toBe("Saw 3 image(s): 1504x832, 1504x832, 1504x832.");
      const tooMany = await callTool(srv.client, "compare_images", { image_paths: [shot, shot, shot, shot], prompt: "x" });
      expect(tooMany.result.isError).toBe(true);
      expect(textOf(tooMany.result)).toMatch(/at most 3 images/);
    });
  });

  it("VLM_IMAGE_TOKENS, VLM_MAX_TOKENS and VLM_MODEL shape the request", async () => {
    const stub = await newStub({ model: "my-vl" });
    await withServer({ VLM_ENDPOINT: stub.endpoint, VLM_IMAGE_TOKENS: "256", VLM_MAX_TOKENS: "777", VLM_MODEL: "my-vl" }, async (srv) => {
      const { result } = await analyze(srv);
      const req = stub.requests.at(-1)!;
      expect(req.body).toMatchObject({ model: "my-vl", max_tokens: 777, stream: false });
      expect([req.images[0]!.width, req.images[0]!.height]).toEqual([672, 384]); // 252 tokens
      expect(req.images[0]!.tokens).toBeLessThanOrEqual(256);
      expect((result.structuredContent as any).model).toBe("my-vl");
    });
  });
});

describe("endpoint errors", () => {
  it("401 from vLLM --api-key without VLM_API_KEY: says to set VLM_API_KEY", async () => {
    const stub = await newStub({ apiKey: "sk-right" });
    await withServer({ VLM_ENDPOINT: stub.endpoint }, async (srv) => {
      const { result } = await analyze(srv);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toBe(
        "The endpoint requires an API key (HTTP 401: Unauthorized): set VLM_API_KEY in the MCP server's env.",
      );
    });
  });

  it("401 with a wrong VLM_API_KEY: names the credential and never echoes it", async () => {
    const stub = await newStub({ apiKey: "sk-right" });
    await withServer({ VLM_ENDPOINT: stub.endpoint, VLM_API_KEY: "sk-wrong-SECRET" }, async (srv) => {
      const { result } = await analyze(srv);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/^The endpoint rejected VLM_API_KEY \(HTTP 401: Unauthorized\)/);
      expect(JSON.stringify(result) + srv.stderr()).not.toContain("sk-wrong-SECRET");
      expect(stub.requests).toHaveLength(0); // rejected before the model
    });
  });

  it("a right VLM_API_KEY is sent as a Bearer token", async () => {
    const stub = await newStub({ apiKey: "sk-right" });
    await withServer({ VLM_ENDPOINT: stub.endpoint, VLM_API_KEY: "sk-right" }, async (srv) => {
      const { result } = await analyze(srv);
      expect(result.isError).toBeFalsy();
      expect(stub.requests[0]!.headers.authorization).toBe("Bearer sk-right");
      expect(srv.stderr()).not.toContain("sk-right");
    });
  });

  it("Modal proxy auth: missing tokens, wrong tokens, right tokens as Modal-Key/Modal-Secret", async () => {
    const stub = await newStub({ modalProxy: { key: "wk-good", secret: "ws-good" } });
    await withServer({ VLM_ENDPOINT: stub.endpoint }, async (srv) => {
      const { result } = await analyze(srv);
      expect(textOf(result)).toMatch(/requires Modal proxy auth .*set MODAL_PROXY_TOKEN_ID and MODAL_PROXY_TOKEN_SECRET/);
    });
    await withServer({ VLM_ENDPOINT: stub.endpoint, MODAL_PROXY_TOKEN_ID: "wk-bad", MODAL_PROXY_TOKEN_SECRET: "ws-bad-SECRET" }, async (srv) => {
      const { result } = await analyze(srv);
      expect(textOf(result)).toMatch(/Modal proxy rejected MODAL_PROXY_TOKEN_ID\/MODAL_PROXY_TOKEN_SECRET .*invalid credentials/);
      expect(JSON.stringify(result) + srv.stderr()).not.toContain("ws-bad-SECRET");
    });
    await withServer({ VLM_ENDPOINT: stub.endpoint, MODAL_PROXY_TOKEN_ID: "wk-good", MODAL_PROXY_TOKEN_SECRET: "ws-good" }, async (srv) => {
      const { result } = await analyze(srv);
      expect(result.isError).toBeFalsy();
      expect(stub.requests.at(-1)!.headers).toMatchObject({ "modal-key": "wk-good", "modal-secret": "ws-good" });
    });
  });

  it("no answer within VLM_TIMEOUT: a timeout error that suggests raising it", async () => {
    const stub = await newStub();
    stub.defaultReply = { kind: "hang" };
    await withServer({ VLM_ENDPOINT: stub.endpoint, VLM_TIMEOUT: "1.5" }, async (srv) => {
      const started = Date.now();
      const { result } = await analyze(srv);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/^No answer from the VLM endpoint within VLM_TIMEOUT=1\.5 s\. .*raise VLM_TIMEOUT/);
      expect(Date.now() - started).toBeLessThan(10_000); // not the 20 s client timeout: the server gave up itself
    });
  });

  it("an endpoint that stays cold: retried until VLM_TIMEOUT, then the last problem is named", async () => {
    const stub = await newStub();
    stub.defaultReply = { kind: "status", status: 503, body: "no healthy upstream", contentType: "text/plain" };
    await withServer({ VLM_ENDPOINT: stub.endpoint, VLM_TIMEOUT: "2.5" }, async (srv) => {
      const { result } = await analyze(srv);
      expect(textOf(result)).toMatch(/within VLM_TIMEOUT=2\.5 s \(last problem: The VLM endpoint is unavailable \(HTTP 503: no healthy upstream\)/);
      expect(stub.requests.length).toBeGreaterThanOrEqual(2); // retried with backoff (1 s, then the rest)
    });
  });

  it("nothing listening on VLM_ENDPOINT: connection errors retried, then reported", async () => {
    const port = await closedPort();
    await withServer({ VLM_ENDPOINT: `http://127.0.0.1:${port}/v1`, VLM_TIMEOUT: "2" }, async (srv) => {
      const { result } = await analyze(srv);
      expect(textOf(result)).toMatch(new RegExp(`last problem: cannot connect to http://127\\.0\\.0\\.1:${port}/v1 \\(ECONNREFUSED\\)`));
    });
  });

  it("vLLM's context-length 400: suggests lowering VLM_IMAGE_TOKENS", async () => {
    const stub = await newStub({ maxModelLen: 1000 });
    await withServer({ VLM_ENDPOINT: stub.endpoint }, async (srv) => {
      const { result } = await analyze(srv);
      expect(textOf(result)).toMatch(
        /rejected the request \(HTTP 400: This model's maximum context length is 1000 tokens.*lower VLM_IMAGE_TOKENS or send fewer images/,
      );
    });
  });

  it("vLLM's too-many-images 400: suggests matching VLM_MAX_IMAGES to --limit-mm-per-prompt", async () => {
    const stub = await newStub({ limitImages: 2 });
    await withServer({ VLM_ENDPOINT: stub.endpoint, VLM_MAX_IMAGES: "4" }, async (srv) => {
      const { result } = await callTool(srv.client, "compare_images", { image_paths: [shot, shot, shot], prompt: "x" });
      expect(textOf(result)).toMatch(/At most 2 image\(s\) may be provided in one prompt\)\. Lower VLM_MAX_IMAGES/);
    });
  });

  it("a model the endpoint does not serve (404): says to set VLM_MODEL", async () => {
    const stub = await newStub();
    await withServer({ VLM_ENDPOINT: stub.endpoint, VLM_MODEL: "Qwen/Other" }, async (srv) => {
      const { result } = await analyze(srv);
      expect(textOf(result)).toMatch(/does not serve model Qwen\/Other: The model `Qwen\/Other` does not exist\. Valid aliases: Qwen\/Qwen3-VL-32B-Thinking-FP8\. Set VLM_MODEL/);
    });
  });
});
