// Readiness after a deploy: /v1/models polled through a cold start, with progress and a deadline.
import { waitUntilReady } from "../../components/modal/runner.ts";

const answers = (...statuses: (number | Error)[]) => {
  const seen: { url: string; headers: Record<string, string> }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    seen.push({ url, headers: init.headers as Record<string, string> });
    const next = statuses.length > 1 ? statuses.shift()! : statuses[0];
    if (next instanceof Error) throw next;
    return new Response(next === 200 ? '{"data":[]}' : "modal-http: app is starting", { status: next });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, seen };
};

it("waits through connection errors and 503s, reporting progress, until /v1/models answers", async () => {
  const { fetch, seen } = answers(new Error("fetch failed"), 503, 503, 200);
  const progress: string[] = [];
  await waitUntilReady("https://x.modal.run", { fetch, timeoutMs: 10_000, intervalMs: 1, apiKey: "sk-k", env: { MODAL_PROXY_TOKEN_ID: "wk-1", MODAL_PROXY_TOKEN_SECRET: "ws-1" }, onProgress: (l) => progress.push(l) });
  expect(seen).toHaveLength(4);
  expect(seen[0].url).toBe("https://x.modal.run/v1/models");
  expect(seen[0].headers).toEqual({ Authorization: "Bearer sk-k", "Modal-Key": "wk-1", "Modal-Secret": "ws-1" });
  expect(progress.filter((l) => l.startsWith("waiting for https://x.modal.run"))).toHaveLength(3);
  expect(progress[1]).toContain("last: HTTP 503");
  expect(progress.at(-1)).toMatch(/^ready after \d+s$/);
  expect(progress.join("\n")).not.toContain("sk-k");
});

it("gives up at the deadline with the last answer", async () => {
  const { fetch } = answers(503);
  await expect(waitUntilReady("https://x.modal.run", { fetch, timeoutMs: 50, intervalMs: 5, env: {} })).rejects.toThrow(/did not become ready within 0s \(last: HTTP 503\)/);
});

it("stops at once on 401, naming the credential to check", async () => {
  const { fetch, seen } = answers(401);
  await expect(waitUntilReady("https://x.modal.run", { fetch, timeoutMs: 10_000, intervalMs: 1, env: {} })).rejects.toThrow(/answered 401: check the API key \/ Modal proxy token/);
  expect(seen).toHaveLength(1);
});
