// The vlm-analyzer server as a client sees it: the SDK Client talks to a real `node mcp/main.ts` child over stdio,
// and the child talks to a stub of vLLM's OpenAI server (tests/support/vlm-stub.ts) that records what it receives.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { exifRotatedJpeg, photoJpeg, screenshotPng, solidImage } from "../fixtures/images/generate.ts";
import { VlmStub, qwenSmartResize, type Reply } from "../support/vlm-stub.ts";
import { callTool, closedPort, serverEnv, spawnServer, textOf, type Spawned } from "./support.ts";

let stub: VlmStub;
let srv: Spawned;
let dir: string;
let shot4k: string;

beforeAll(async () => {
  stub = await new VlmStub().start();
  dir = await mkdtemp(join(tmpdir(), "vlm-mcp-test-"));
  shot4k = join(dir, "screen-4k.png");
  await writeFile(shot4k, await screenshotPng(3840, 2160));
  srv = await spawnServer(serverEnv({ VLM_ENDPOINT: stub.endpoint, VLM_TIMEOUT: "15", VLM_PROGRESS_INTERVAL: "0.2" }));
});

afterAll(async () => {
  await srv?.close();
  await stub?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  stub.requests.length = 0;
  stub.completions.length = 0;
  stub.defaultReply = { kind: "answer" };
});

const lastRequest = () => {
  const r = stub.requests.at(-1);
  if (!r) throw new Error("the stub received no request");
  return r;
};

describe("tools/list", () => {
  it("lists the three tools with input schemas, output schema and annotations", async () => {
    const { tools } = await srv.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["analyze_image", "analyze_screenshot", "compare_images"]);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));

    expect(byName.analyze_image!.inputSchema.required).toEqual(["image_path", "prompt"]);
    expect(byName.analyze_screenshot!.inputSchema.required).toEqual(["prompt"]);
    expect(Object.keys(byName.analyze_screenshot!.inputSchema.properties ?? {})).toEqual(["prompt", "display"]);
    const paths = byName.compare_images!.inputSchema.properties!.image_paths as { minItems: number; maxItems: number };
    expect([paths.minItems, paths.maxItems]).toEqual([2, 5]); // VLM_MAX_IMAGES default

    for (const t of tools) {
      expect(t.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, openWorldHint: true });
      expect(t.outputSchema?.required).toEqual(expect.arrayContaining(["answer", "model", "images", "imageTokens"]));
      expect(t.description?.length).toBeGreaterThan(40);
    }
  });
});

describe("analyze_image", () => {
  it("sends a 3840×2160 screenshot as 1504×832 px, 1222 image tokens, ≤200 KB, and returns the answer", async () => {
    const { result } = await callTool(srv.client, "analyze_image", { image_path: shot4k, prompt: "What is on screen?" });
    expect(result.isError).toBeFalsy();

    const req = lastRequest();
    expect(req.images).toHaveLength(1);
    const img = req.images[0]!;
    expect([img.width, img.height]).toEqual([1504, 832]);
    // The stub recomputes vLLM's own smart_resize: the server must not need to resize again.
    expect(img.tokens).toBe(1222);
    expect(img.tokens).toBeLessThanOrEqual(1300);
    expect(img.bytes).toBeLessThanOrEqual(200 * 1024);
    expect(req.texts).toEqual(["What is on screen?"]);
    expect(req.body.model).toBe("Qwen/Qwen3-VL-32B-Thinking-FP8");
    expect(req.headers.authorization).toBeUndefined();

    expect(textOf(result)).toBe("Saw 1 image(s): 1504x832.");
    const sc = result.structuredContent as Record<string, any>;
    expect(sc.model).toBe("Qwen/Qwen3-VL-32B-Thinking-FP8");
    expect(sc.images[0]).toMatchObject({
      source: shot4k, format: "png", originalWidth: 3840, originalHeight: 2160,
      width: 1504, height: 832, tokens: 1222, bytes: img.bytes, mimeType: img.mimeType,
    });
    expect(sc.imageTokens).toBe(1222);
    const usageBody = stub.completions.at(-1)!.usage;
    expect(sc.usage).toEqual({
      promptTokens: usageBody.prompt_tokens, completionTokens: usageBody.completion_tokens, totalTokens: usageBody.total_tokens,
    });
    expect(sc.finishReason).toBe("stop");
  });

  it.each<[string, NonNullable<Extract<Reply, { kind: "answer" }>["layout"]>]>([
    ["vLLM 0.33 reasoning parser (reasoning)", "reasoning"],
    ["older vLLM reasoning parser (reasoning_content)", "reasoning_content"],
    ["no parser: <think>…</think> in content", "think-tags"],
    ["Qwen3 Thinking template: bare …</think> in content", "bare-think"],
  ])("returns only the answer, reasoning stripped: %s", async (_label, layout) => {
    stub.enqueue({ kind: "answer", layout, answer: "A red square.", reasoning: "Hmm, SECRET-THOUGHT about pixels." });
    const { result } = await callTool(srv.client, "analyze_image", { image_path: shot4k, prompt: "Describe" });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe("A red square.");
    expect(JSON.stringify(result)).not.toContain("SECRET-THOUGHT");
  });

  it("reports a Thinking model that ran out of tokens mid-reasoning as an error, not as an empty answer", async () => {
    stub.enqueue({ kind: "status", status: 200, body: JSON.stringify({
      id: "chatcmpl-1", object: "chat.completion", created: 1, model: stub.model,
      choices: [{ index: 0, message: { role: "assistant", content: null, reasoning_content: "Let me think… and think…" },
        finish_reason: "length" }],
      usage: { prompt_tokens: 1300, completion_tokens: 4096, total_tokens: 5396 },
    }) });
    const { result } = await callTool(srv.client, "analyze_image", { image_path: shot4k, prompt: "Describe" });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/token budget while still reasoning/);
  });

  it.each([
    ["WebP", () => solidImage(640, 480, { r: 0, g: 200, b: 0 }, "webp"), 640, 480, "webp"],
    ["GIF (first frame)", () => solidImage(320, 200, { r: 0, g: 0, b: 255 }, "gif"), 352, 224, "gif"],
    ["TIFF", () => solidImage(800, 600, { r: 10, g: 20, b: 30 }, "tiff"), 800, 608, "tiff"],
    ["AVIF", () => solidImage(512, 512, { r: 200, g: 100, b: 0 }, "avif"), 512, 512, "avif"],
    ["PNG with alpha", () => solidImage(256, 256, { r: 0, g: 0, b: 0, alpha: 0 }, "png"), 256, 256, "png"],
    ["small JPEG photo (scaled up to the 64-token minimum)", () => photoJpeg(100, 100), 256, 256, "jpeg"],
  ])("decodes %s by content and sends it on the 32-px grid", async (_label, make, w, h, format) => {
    // Saved without an extension: the type must come from the bytes.
    const file = join(dir, `img-${format}-${w}`);
    await writeFile(file, await make());
    const { result } = await callTool(srv.client, "analyze_image", { image_path: file, prompt: "What colour?" });
    expect(textOf(result)).toBe(`Saw 1 image(s): ${w}x${h}.`);
    expect((result.structuredContent as any).images[0].format).toBe(format);
    const sent = lastRequest().images[0]!;
    expect([sent.width, sent.height]).toEqual([w, h]);
    // A fixed point of vLLM's own smart_resize: the endpoint will not resample it again.
    expect(qwenSmartResize(sent.width, sent.height)).toEqual({ width: w, height: h });
  });

  it("flattens transparency on white", async () => {
    await callTool(srv.client, "analyze_image", {
      image_path: `data:image/png;base64,${(await solidImage(64, 64, { r: 0, g: 0, b: 0, alpha: 0 }, "png")).toString("base64")}`,
      prompt: "x",
    });
    const stats = await sharp(lastRequest().images[0]!.data).stats();
    expect(stats.channels.slice(0, 3).map((c) => Math.round(c.mean))).toEqual([255, 255, 255]);
  });

  it("rasterises an SVG at the target size", async () => {
    const svg = `<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">` +
      `<rect width="100" height="100" fill="#ff0000"/><rect x="100" width="100" height="100" fill="#0000ff"/></svg>`;
    const file = join(dir, "diagram.txt"); // wrong extension on purpose
    await writeFile(file, svg);
    const { result } = await callTool(srv.client, "analyze_image", { image_path: file, prompt: "x" });
    expect(result.isError).toBeFalsy();
    const img = lastRequest().images[0]!;
    expect([img.width, img.height]).toEqual([384, 192]); // 200×100 → scaled up to the 64-token minimum
    const { data, info } = await sharp(img.data).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
    expect(px(40, 96)[0]).toBeGreaterThan(200); // left: red
    expect(px(340, 96)[2]).toBeGreaterThan(200); // right: blue
  });

  it("applies EXIF orientation before sizing", async () => {
    // Stored 600×400 with orientation 6 → displays as 400×600, the stored left (red) half on top.
    const file = join(dir, "phone-photo.jpg");
    await writeFile(file, await exifRotatedJpeg(600, 400));
    const { result } = await callTool(srv.client, "analyze_image", { image_path: file, prompt: "x" });
    const sent = lastRequest().images[0]!;
    expect([sent.width, sent.height]).toEqual([384, 608]);
    expect((result.structuredContent as any).images[0]).toMatchObject({ originalWidth: 400, originalHeight: 600 });
    const { data, info } = await sharp(sent.data).raw().toBuffer({ resolveWithObject: true });
    const at = (y: number) => Array.from(data.subarray((y * info.width + 192) * info.channels, (y * info.width + 192) * info.channels + 3));
    expect(at(100)[0]).toBeGreaterThan(200); // top: red
    expect(at(500)[2]).toBeGreaterThan(200); // bottom: blue
  });

  it("accepts ~ paths, relative paths, file:// URLs, http URLs and data: URIs", async () => {
    const png = await solidImage(96, 64, { r: 255, g: 0, b: 0 }, "png");
    await writeFile(join(dir, "rel.png"), png);
    const home = join(dir, "home");
    await mkdir(home, { recursive: true });
    await writeFile(join(home, "in-home.png"), png);
    const local = await spawnServer(serverEnv({ VLM_ENDPOINT: stub.endpoint, HOME: home }), dir);
    try {
      const sources = [
        "~/in-home.png",
        "rel.png",
        `file://${join(dir, "rel.png")}`,
        stub.serveFile("red.png", png),
        `data:image/png;base64,${png.toString("base64")}`,
      ];
      for (const image_path of sources) {
        const { result } = await callTool(local.client, "analyze_image", { image_path, prompt: "x" });
        expect({ image_path, text: textOf(result) }).toEqual({ image_path, text: "Saw 1 image(s): 320x224." });
      }
    } finally {
      await local.close();
    }
  });
});

describe("compare_images", () => {
  it("sends five 4K screenshots in one request, numbered, within a 32K context", async () => {
    const paths = [shot4k, shot4k, shot4k, shot4k, shot4k];
    const { result } = await callTool(srv.client, "compare_images", { image_paths: paths, prompt: "Which differ?" }, { timeoutMs: 30_000 });
    expect(result.isError).toBeFalsy();
    const req = lastRequest();
    expect(req.images.map((i) => `${i.width}x${i.height}`)).toEqual(Array(5).fill("1504x832"));
    expect(req.texts).toEqual(["Image 1:", "Image 2:", "Image 3:", "Image 4:", "Image 5:", "Which differ?"]);
    const sc = result.structuredContent as any;
    expect(sc.imageTokens).toBe(5 * 1222);
    expect(sc.usage.promptTokens).toBeLessThan(32_768); // the stub answers 400 above --max-model-len
    expect(req.images.reduce((n, i) => n + i.bytes, 0)).toBeLessThanOrEqual(5 * 200 * 1024);
  });
});

describe("long calls", () => {
  it("sends progress notifications while the model is slow", async () => {
    stub.enqueue({ kind: "answer", delayMs: 1500, answer: "slow but fine" });
    const { result, progress } = await callTool(
      srv.client, "analyze_image", { image_path: shot4k, prompt: "x" }, { withProgress: true, timeoutMs: 1000 },
    );
    // timeoutMs is shorter than the reply: only resetTimeoutOnProgress keeps the call alive.
    expect(textOf(result)).toBe("slow but fine");
    const waiting = progress.filter((p) => /Waiting for Qwen\/Qwen3-VL-32B-Thinking-FP8: \d+ s elapsed/.test(p.message ?? ""));
    expect(waiting.length).toBeGreaterThanOrEqual(3);
    const values = progress.map((p) => p.progress);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(new Set(values).size).toBe(values.length);
  });

  it("retries a cold endpoint (503, dropped connection) with backoff, then answers", async () => {
    stub.enqueue(
      { kind: "status", status: 503, body: "503 Service Unavailable: no healthy upstream", contentType: "text/plain" },
      { kind: "drop" },
      { kind: "answer", answer: "warm now" },
    );
    const { result, progress } = await callTool(
      srv.client, "analyze_image", { image_path: shot4k, prompt: "x" }, { withProgress: true },
    );
    expect(textOf(result)).toBe("warm now");
    expect(stub.requests).toHaveLength(3);
    const retries = progress.map((p) => p.message ?? "").filter((m) => m.includes("Retrying"));
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatch(/HTTP 503.*Retrying in 1 s/);
    expect(retries[1]).toMatch(/ECONNRESET|UND_ERR_SOCKET|socket|other side closed/i);
  });

  it("answers concurrent calls independently", async () => {
    const sizes = [[320, 320], [640, 320], [320, 640], [960, 320]] as const;
    const files = await Promise.all(sizes.map(async ([w, h]) => {
      const f = join(dir, `conc-${w}x${h}.png`);
      await writeFile(f, await solidImage(w, h, { r: 9, g: 9, b: 9 }, "png"));
      return f;
    }));
    stub.defaultReply = { kind: "answer", delayMs: 300 };
    const results = await Promise.all(files.map((image_path) => callTool(srv.client, "analyze_image", { image_path, prompt: "x" })));
    expect(results.map((r) => textOf(r.result))).toEqual(sizes.map(([w, h]) => `Saw 1 image(s): ${w}x${h}.`));
  });
});

describe("failures are isError results and the server keeps answering", () => {
  const cases: [string, () => Promise<[string, Record<string, unknown>]>, RegExp][] = [
    ["missing file", async () => ["analyze_image", { image_path: join(dir, "nope.png"), prompt: "x" }], /^File not found: .*nope\.png/],
    ["relative missing file names the working directory", async () => ["analyze_image", { image_path: "nope.png", prompt: "x" }],
      /File not found: .*nope\.png.*resolved against the server's working directory/],
    ["a text file named .png", async () => {
      const f = join(dir, "notes.png");
      await writeFile(f, "just some notes, not pixels\n");
      return ["analyze_image", { image_path: f, prompt: "x" }];
    }, /notes\.png is not an image: it is a text file/],
    ["a PDF", async () => {
      const f = join(dir, "doc.png");
      await writeFile(f, "%PDF-1.7\n%âãÏÓ\n1 0 obj\n");
      return ["analyze_image", { image_path: f, prompt: "x" }];
    }, /is not an image: it is a PDF document/],
    ["a directory", async () => ["analyze_image", { image_path: dir, prompt: "x" }], /is a directory/],
    ["a truncated PNG", async () => {
      const f = join(dir, "broken.png");
      await writeFile(f, (await screenshotPng(200, 100)).subarray(0, 120));
      return ["analyze_image", { image_path: f, prompt: "x" }];
    }, /looks like PNG but cannot be decoded/],
    // Works as root too (permission bits would not stop root): reading /proc/<pid>/mem from offset 0 fails with EIO.
    ["an unreadable file", async () => ["analyze_image", { image_path: "/proc/self/mem", prompt: "x" }],
      /^Cannot read \/proc\/self\/mem: EIO/],
    ["a URL that is too large (Content-Length)", async () => {
      const url = stub.serveFile("huge.png", Buffer.alloc(1024), { declaredLength: 80 * 1024 * 1024 });
      return ["analyze_image", { image_path: url, prompt: "x" }];
    }, /huge\.png is too large: 80\.0 MB, over the 50\.0 MB limit/],
    ["a URL that is too large (chunked, no length)", async () => {
      const url = stub.serveFile("stream.bin", Buffer.alloc(51 * 1024 * 1024, 7), { chunked: true });
      return ["analyze_image", { image_path: url, prompt: "x" }];
    }, /stream\.bin is too large: more than 50\.0 MB/],
    ["a URL answering 404", async () => ["analyze_image", { image_path: `${stub.baseUrl}/files/missing.png?token=abc`, prompt: "x" }],
      /files\/missing\.png answered HTTP 404/],
    ["an unreachable URL", async () => ["analyze_image", { image_path: `http://127.0.0.1:${await closedPort()}/x.png`, prompt: "x" }],
      /127\.0\.0\.1:\d+\/x\.png is unreachable \(ECONNREFUSED\)/],
    ["an unsupported URL scheme", async () => ["analyze_image", { image_path: "ftp://example.com/a.png", prompt: "x" }],
      /Unsupported URL scheme/],
    ["too many images", async () => ["compare_images", { image_paths: Array(6).fill(shot4k), prompt: "x" }],
      /at most 5 images \(the endpoint's limit, VLM_MAX_IMAGES\)/],
    ["too few images", async () => ["compare_images", { image_paths: [shot4k], prompt: "x" }], /at least 2 images/],
    ["one bad image among several", async () => ["compare_images", { image_paths: [shot4k, join(dir, "gone.png")], prompt: "x" }],
      /File not found: .*gone\.png/],
    ["no display", async () => ["analyze_screenshot", { prompt: "x" }], /No display to capture: neither DISPLAY nor WAYLAND_DISPLAY/],
    ["a malformed display", async () => ["analyze_screenshot", { prompt: "x", display: "not a display" }],
      /display must be an X11 display name/],
    ["an X display that does not exist", async () => ["analyze_screenshot", { prompt: "x", display: ":987" }],
      /Screen capture failed\. import: .*unable to open X server/],
    ["a missing prompt", async () => ["analyze_image", { image_path: shot4k }], /Input validation error: .*expected string, received undefined at prompt/],
  ];

  it.each(cases)("%s", async (_label, setup, expected) => {
    const [tool, args] = await setup();
    const { result } = await callTool(srv.client, tool, args);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(expected);
    await srv.client.ping();
    expect((await srv.client.listTools()).tools).toHaveLength(3);
  });

  it("never writes anything but JSON-RPC to stdout", () => {
    expect(srv.protocolErrors).toEqual([]);
  });
});
