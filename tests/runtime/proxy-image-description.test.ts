// An image sent to a model without vision reaches the upstream as the vision model's description: the proxy
// (in-process, in front of a text-only vLLM stub) with the real VLM describer (mcp/ pipeline: sharp, callVlm) talking
// HTTP to the VLM stub. Both dialects, user images and images inside tool results, the per-image cache, failures.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { nativeDialect } from "../../runtime/proxy/dialects/native.ts";
import { sweAgentDialect } from "../../runtime/proxy/dialects/swe-agent.ts";
import { descriptionBlock, hasImages, replaceImages } from "../../runtime/proxy/images/describe.ts";
import { DESCRIBE_PROMPT, vlmDescriber } from "../../runtime/proxy/images/vlm.ts";
import type { AnthropicRequest } from "../../runtime/proxy/types.ts";
import { screenshotPng } from "../fixtures/images/generate.ts";
import { harness, sseEvents } from "../support/proxy-harness.ts";
import { VlmStub } from "../support/vlm-stub.ts";

const VLM_KEY = "vlm-secret-key";
let vlm: VlmStub;
let png: string;
let png2: string;

beforeAll(async () => {
  vlm = await new VlmStub({ apiKey: VLM_KEY }).start();
  png = (await screenshotPng(800, 600, 1)).toString("base64");
  png2 = (await screenshotPng(640, 480, 2)).toString("base64");
});
afterAll(() => vlm.stop());
beforeEach(() => {
  vlm.requests.length = 0;
  vlm.defaultReply = { kind: "answer" };
});

const image = (data: string) => ({ type: "image" as const, source: { type: "base64" as const, media_type: "image/png", data } });
const env = () => ({ VLM_ENDPOINT: vlm.endpoint, VLM_MODEL: vlm.model, VLM_API_KEY: VLM_KEY, VLM_TIMEOUT: "5" });

async function proxy(dialect = nativeDialect, vlmEnv: Record<string, string> = env()) {
  return harness({ dialect, stub: { reply: () => ({ text: "ok" }) }, proxy: { images: await vlmDescriber(vlmEnv) } });
}

const upstreamText = (m: Record<string, unknown>) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content));

describe("the proxy describes images for a model without vision", () => {
  it("a pasted image reaches the text-only upstream as the VLM's description, in a text block that says so", async () => {
    vlm.enqueue({ kind: "answer", answer: "A terminal showing: TypeError: x is undefined at main.ts:3" });
    const h = await proxy();
    const res = await h.post("/v1/messages", {
      model: "claude-x", max_tokens: 100,
      messages: [{ role: "user", content: [{ type: "text", text: "What is wrong here?" }, image(png)] }],
    });
    expect(res.status).toBe(200);
    // the VLM got the image (downscaled to its budget by the MCP pipeline) with the description prompt and the key
    expect(vlm.requests).toHaveLength(1);
    expect(vlm.requests[0]!.headers.authorization).toBe(`Bearer ${VLM_KEY}`);
    expect(vlm.requests[0]!.images).toHaveLength(1);
    expect(vlm.requests[0]!.images[0]!.width).toBe(800);
    expect(vlm.requests[0]!.texts).toEqual([DESCRIBE_PROMPT]);
    // upstream: no image part anywhere, the description as text right after the user's words
    const sent = h.stub.requests[0]!;
    expect(JSON.stringify(sent.messages)).not.toContain("image_url");
    expect(sent.messages.at(-1)).toEqual({
      role: "user",
      content: `What is wrong here?\n[Image: you cannot see images, so the vision model ${vlm.model} described this one for you]\n` +
        "A terminal showing: TypeError: x is undefined at main.ts:3",
    });
    expect(h.logs.filter((l) => l.msg === "image described").map((l) => l.fields)).toEqual([
      expect.objectContaining({ cached: false, ok: true }),
    ]);
  });

  it("an image in a tool result (Claude Code's Read of a .png) becomes text in the tool message; swe-agent keeps it too", async () => {
    for (const dialect of [nativeDialect, sweAgentDialect]) {
      vlm.enqueue({ kind: "answer", answer: `Screenshot of a login form (${dialect.name})` });
      const h = await proxy(dialect);
      const res = await h.post("/v1/messages", {
        model: "claude-x", max_tokens: 100,
        messages: [
          { role: "user", content: "look at shot.png" },
          { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Read", input: { file_path: "/w/shot.png" } }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: [image(png2)] }] },
        ],
      });
      expect(res.status).toBe(200);
      const sent = h.stub.requests[0]!;
      expect(JSON.stringify(sent.messages)).not.toContain("image_url");
      const tool = sent.messages.find((m) => m.role === "tool")!;
      expect(upstreamText(tool)).toContain(`the vision model ${vlm.model} described this one for you]\nScreenshot of a login form (${dialect.name})`);
    }
    expect(vlm.requests).toHaveLength(2);
  });

  it("each distinct image is described once per conversation: replayed turns hit the cache, prompts stay byte-identical", async () => {
    const h = await proxy();
    vlm.enqueue({ kind: "answer", answer: "first image" }, { kind: "answer", answer: "second image" });
    const turn1 = [{ role: "user", content: [image(png), { type: "text", text: "and" }, image(png2)] }];
    await h.post("/v1/messages", { model: "m", max_tokens: 50, messages: turn1 });
    const turn2 = [...turn1, { role: "assistant", content: "noted" }, { role: "user", content: "compare them" }];
    await h.post("/v1/messages", { model: "m", max_tokens: 50, messages: turn2 });
    expect(vlm.requests).toHaveLength(2); // two images, described in parallel on turn 1, none on turn 2
    const [a, b] = h.stub.requests;
    expect(upstreamText(b!.messages[0]!)).toBe(upstreamText(a!.messages[0]!));
    const descriptions = upstreamText(a!.messages[0]!);
    expect(descriptions).toMatch(/described this one for you\]\n(first|second) image\nand\n\[Image: .*\]\n(first|second) image/);
    expect(h.logs.filter((l) => l.msg === "image described" && l.fields?.cached === true)).toHaveLength(2);
  });

  it("a VLM failure still answers: the text says the image could not be described and why; the next turn asks again", async () => {
    vlm.enqueue({ kind: "status", status: 401, body: JSON.stringify({ error: "Unauthorized" }) });
    const h = await proxy();
    const body = { model: "m", max_tokens: 50, messages: [{ role: "user", content: [image(png)] }] };
    expect((await h.post("/v1/messages", body)).status).toBe(200);
    const text = upstreamText(h.stub.requests[0]!.messages.at(-1)!);
    expect(text).toMatch(new RegExp(`^\\[Image: you cannot see images, and the vision model ${vlm.model.replace(/[/.]/g, "\\$&")} could not describe this one \\(.*401.*\\)`));
    expect(text).not.toContain(VLM_KEY);
    vlm.enqueue({ kind: "answer", answer: "now it works" });
    await h.post("/v1/messages", body);
    expect(upstreamText(h.stub.requests[1]!.messages.at(-1)!)).toContain("now it works");
    expect(vlm.requests).toHaveLength(2);
  });

  it("a bad vlm-analyzer configuration is reported in the text block, not as a failed request", async () => {
    const h = await proxy(nativeDialect, { VLM_MODEL: "some/vlm" });
    const res = await h.post("/v1/messages", { model: "m", max_tokens: 50, messages: [{ role: "user", content: [image(png)] }] });
    expect(res.status).toBe(200);
    expect(upstreamText(h.stub.requests[0]!.messages.at(-1)!)).toMatch(/vision model some\/vlm could not describe this one \(VLM_ENDPOINT is not set/);
    expect(vlm.requests).toHaveLength(0);
  });

  it("requests without images never call the VLM, and without a describer images go upstream as they are", async () => {
    const h = await proxy();
    await h.post("/v1/messages", { model: "m", max_tokens: 50, messages: [{ role: "user", content: "no pictures" }] });
    expect(vlm.requests).toHaveLength(0);
    const plain = harness({ stub: { reply: () => ({ text: "ok" }) } });
    await plain.post("/v1/messages", { model: "m", max_tokens: 50, messages: [{ role: "user", content: [image(png)] }] });
    expect(JSON.stringify(plain.stub.requests[0]!.messages)).toContain(`data:image/png;base64,${png.slice(0, 40)}`);
    expect(vlm.requests).toHaveLength(0);
  });
});

describe("waiting for the vision model", () => {
  it("a streaming client gets message_start and pings while the VLM works, then the answer", async () => {
    vlm.enqueue({ kind: "answer", answer: "slow description", delayMs: 400 });
    const h = harness({ stub: { reply: () => ({ text: "the answer" }) }, proxy: { images: await vlmDescriber(env()), coldStart: { pingIntervalMs: 50, deadlineMs: 2_000, retryDelayMs: 10 } } });
    const res = await h.post("/v1/messages", { model: "m", max_tokens: 50, stream: true, messages: [{ role: "user", content: [image(png)] }] });
    expect(res.status).toBe(200);
    const events = (await sseEvents(res)).map((e) => e.event);
    expect(events[0]).toBe("message_start");
    expect(events.slice(1, 3)).toEqual(["ping", "ping"]);
    expect(events.at(-1)).toBe("message_stop");
    expect(upstreamText(h.stub.requests[0]!.messages.at(-1)!)).toContain("slow description");
  });

  it("a client that gives up does not cancel the description: its retry finds it under way and the VLM is asked once", async () => {
    vlm.enqueue({ kind: "answer", answer: "described once", delayMs: 300 });
    const h = await proxy();
    const body = JSON.stringify({ model: "m", max_tokens: 50, messages: [{ role: "user", content: [image(png)] }] });
    const ac = new AbortController();
    const first = Promise.resolve(h.app.request("/v1/messages", { method: "POST", body, headers: { "content-type": "application/json" }, signal: ac.signal })).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    await first;
    const retry = await h.post("/v1/messages", body);
    expect(retry.status).toBe(200);
    expect(vlm.requests).toHaveLength(1);
    expect(h.stub.requests).toHaveLength(1); // the abandoned request never reached the coder
    expect(upstreamText(h.stub.requests[0]!.messages.at(-1)!)).toContain("described once");
  });
});

describe("replaceImages / hasImages (pure)", () => {
  const req = (messages: AnthropicRequest["messages"]): AnthropicRequest => ({ model: "m", max_tokens: 1, messages });
  it("finds images in messages and tool results only, and leaves messages without images as the same objects", () => {
    const textOnly = { role: "user" as const, content: [{ type: "text" as const, text: "hi" }] };
    expect(hasImages(req([textOnly, { role: "assistant", content: "x" }]))).toBe(false);
    expect(hasImages(req([{ role: "user", content: [{ type: "tool_result", tool_use_id: "a", content: [image("AAAA")] }] }]))).toBe(true);
    const out = replaceImages(req([textOnly, { role: "user", content: [image("AAAA")] }]), "vlm", new Map());
    expect(out.messages[0]).toBe(textOnly);
    expect(out.messages[1]!.content).toEqual([descriptionBlock("vlm", { ok: false, reason: "not described" })]);
  });
});
