// Live endpoint checks (the seed's tests/test_health.py): health, /v1/models, a short streamed chat completion,
// and a request with a generated image. Used by `npm run smoke` against deployed endpoints, and by the unit
// suite against the vLLM stub so the checks themselves are tested.
import sharp from "sharp";

export interface Target {
  baseUrl: string; // …/v1
  model: string;
  apiKey?: string;
  modalKey?: string;
  modalSecret?: string;
}

const headers = (t: Target): Record<string, string> => ({
  "Content-Type": "application/json",
  ...(t.apiKey ? { Authorization: `Bearer ${t.apiKey}` } : {}),
  ...(t.modalKey && t.modalSecret ? { "Modal-Key": t.modalKey, "Modal-Secret": t.modalSecret } : {}),
});
const root = (t: Target) => t.baseUrl.replace(/\/v1\/?$/, "");

async function expectOk(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return res;
}

export async function checkHealth(t: Target, timeoutMs = 600_000): Promise<void> {
  await expectOk(await fetch(`${root(t)}/health`, { headers: headers(t), signal: AbortSignal.timeout(timeoutMs) }), "GET /health");
}

export async function checkModels(t: Target): Promise<string[]> {
  const res = await expectOk(await fetch(`${t.baseUrl}/models`, { headers: headers(t) }), "GET /v1/models");
  const ids = ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id);
  if (!ids.includes(t.model)) throw new Error(`GET /v1/models lists ${ids.join(", ")}, not ${t.model}`);
  return ids;
}

/** Streams a short completion; returns the text and the number of content chunks. */
export async function checkStreamedChat(t: Target, prompt = "Write a Python function that adds two numbers."): Promise<{ text: string; chunks: number }> {
  const res = await expectOk(
    await fetch(`${t.baseUrl}/chat/completions`, {
      method: "POST",
      headers: headers(t),
      body: JSON.stringify({ model: t.model, stream: true, max_tokens: 64, messages: [{ role: "user", content: prompt }] }),
    }),
    "POST /v1/chat/completions (stream)",
  );
  const body = await res.text();
  const events = body.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6));
  if (events.at(-1) !== "[DONE]") throw new Error("stream did not end with [DONE]");
  let text = "";
  let chunks = 0;
  for (const e of events.slice(0, -1)) {
    // vLLM 0.33 streams reasoning as `reasoning` (reasoning_content before)
    const delta = (JSON.parse(e) as { choices: { delta: { content?: string; reasoning?: string; reasoning_content?: string } }[] }).choices[0]?.delta;
    if (delta?.content || delta?.reasoning || delta?.reasoning_content) chunks++;
    text += delta?.content ?? "";
  }
  if (chunks === 0) throw new Error("stream carried no content");
  return { text, chunks };
}

/** Sends a generated red-square PNG and asks about it; returns the answer. */
export async function checkImage(t: Target): Promise<string> {
  const png = await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 220, g: 20, b: 20 } } }).png().toBuffer();
  const res = await expectOk(
    await fetch(`${t.baseUrl}/chat/completions`, {
      method: "POST",
      headers: headers(t),
      body: JSON.stringify({
        model: t.model,
        max_tokens: 512,
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${png.toString("base64")}` } }, { type: "text", text: "What colour is this image? One word." }] }],
      }),
    }),
    "POST /v1/chat/completions (image)",
  );
  const answer = ((await res.json()) as { choices: { message: { content: string | null } }[] }).choices[0]?.message.content ?? "";
  if (!answer.trim()) throw new Error("empty answer to the image request");
  return answer;
}
