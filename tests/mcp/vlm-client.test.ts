// callVlm's retry policy with injected fetch/clock/sleep: no real waiting, exact backoff schedule.
import { parseConfig } from "../../mcp/config.ts";
import { ToolError } from "../../mcp/errors.ts";
import { backoffMs, callVlm, type VlmDeps } from "../../mcp/vlm/client.ts";

const config = parseConfig({ VLM_ENDPOINT: "http://vlm.test/v1", VLM_TIMEOUT: "60" }).config;
const ok = () =>
  new Response(JSON.stringify({ model: "m", choices: [{ message: { content: "fine" }, finish_reason: "stop" }] }), { status: 200 });
const refused = () => Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) });

function fakeDeps(responses: (() => Response | Error)[]) {
  let clock = 0;
  const waits: number[] = [];
  const deps: VlmDeps = {
    fetch: (async () => {
      const next = responses.shift();
      if (!next) throw new Error("no more responses");
      const r = next();
      if (r instanceof Error) throw r;
      return r;
    }) as typeof fetch,
    now: () => clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
  };
  return { deps, waits };
}

const parts = [{ type: "text" as const, text: "hi" }];

describe("callVlm retries", () => {
  it("backs off 1, 2, 4, 8 s then every 10 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });

  it("retries 502/503/504 and refused connections, then returns the answer", async () => {
    const { deps, waits } = fakeDeps([
      () => new Response("bad gateway", { status: 502 }),
      () => refused(),
      () => new Response("", { status: 503 }),
      () => new Response("", { status: 504 }),
      ok,
    ]);
    const statuses: string[] = [];
    const answer = await callVlm(config, parts, { signal: new AbortController().signal, onStatus: (s) => statuses.push(s) }, deps);
    expect(answer).toMatchObject({ text: "fine", attempts: 5 });
    expect(waits).toEqual([1000, 2000, 4000, 8000]);
    expect(statuses[0]).toBe("The VLM endpoint is unavailable (HTTP 502: bad gateway). Retrying in 1 s (attempt 2).");
    expect(statuses[1]).toBe("cannot connect to http://vlm.test/v1 (ECONNREFUSED) Retrying in 2 s (attempt 3).");
  });

  it("stops retrying when VLM_TIMEOUT is used up", async () => {
    const { deps, waits } = fakeDeps(Array(20).fill(() => new Response("", { status: 503 })));
    const err = await callVlm(config, parts, { signal: new AbortController().signal }, deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as Error).message).toMatch(/^No answer from the VLM endpoint within VLM_TIMEOUT=60 s \(last problem: .*HTTP 503/);
    expect(waits.reduce((a, b) => a + b, 0)).toBe(60_000); // the last wait is cut to the deadline
  });

  it("does not retry a 400 or a 401", async () => {
    for (const status of [400, 401]) {
      const { deps, waits } = fakeDeps([() => new Response('{"error":"Unauthorized"}', { status }), ok]);
      await expect(callVlm(config, parts, { signal: new AbortController().signal }, deps)).rejects.toBeInstanceOf(ToolError);
      expect(waits).toEqual([]);
    }
  });

  it("reports a cancelled request as cancelled", async () => {
    const ac = new AbortController();
    const { deps } = fakeDeps([() => { ac.abort(); return refused(); }]);
    await expect(callVlm(config, parts, { signal: ac.signal }, deps)).rejects.toThrow("The request was cancelled by the client.");
  });

  it("rejects a 200 that is not a chat completion", async () => {
    const { deps } = fakeDeps([() => new Response("<html>login</html>", { status: 200 })]);
    await expect(callVlm(config, parts, { signal: new AbortController().signal }, deps)).rejects.toThrow(
      /answered 200 but not with JSON: <html>login<\/html>/,
    );
  });
});
