// The live checks themselves, run against the vLLM stub: they pass on a healthy server and fail on a broken one.
import { checkHealth, checkImage, checkModels, checkStreamedChat } from "../live/checks.ts";
import { createVllmStub } from "../support/vllm-stub.ts";

let server: { url: string; close(): Promise<void> };
const stub = createVllmStub({ model: "m/coder", apiKey: "sk-live", reply: () => ({ text: "Red. The image is a red square." }) });
beforeAll(async () => {
  server = await stub.listen();
});
afterAll(() => server.close());

const t = () => ({ baseUrl: server.url, model: "m/coder", apiKey: "sk-live" });

it("pass against a healthy server", async () => {
  await checkHealth(t());
  expect(await checkModels(t())).toEqual(["m/coder"]);
  const chat = await checkStreamedChat(t());
  expect(chat.text).toBe("Red. The image is a red square.");
  expect(chat.chunks).toBeGreaterThan(1);
  expect(await checkImage(t())).toContain("Red");
  const image = stub.requests.at(-1)!.messages[0].content as Array<{ type: string; image_url?: { url: string } }>;
  expect(image[0].image_url!.url).toMatch(/^data:image\/png;base64,/);
});

it("fail on a wrong key or a missing model", async () => {
  await expect(checkModels({ ...t(), apiKey: "wrong" })).rejects.toThrow(/GET \/v1\/models: HTTP 401/);
  await expect(checkModels({ ...t(), model: "other" })).rejects.toThrow(/lists m\/coder, not other/);
});
