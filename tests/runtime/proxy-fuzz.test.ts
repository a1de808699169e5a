// Property-based fuzzing (fast-check) of the request translator and the HTTP layer: malformed or hostile bodies
// get a 4xx whose message names the field, never a 5xx or a crash, and the app keeps serving afterwards.
import fc from "fast-check";
import { nativeDialect } from "../../runtime/proxy/dialects/native.ts";
import { toOpenAIRequest } from "../../runtime/proxy/translate/request.ts";
import { validateRequest } from "../../runtime/proxy/translate/validate.ts";
import { harness } from "../support/proxy-harness.ts";

const valid = {
  model: "claude-opus-4-8",
  max_tokens: 100,
  system: [{ type: "text", text: "sys" }],
  tools: [{ name: "Bash", input_schema: { type: "object", properties: { command: { type: "string" } } } }],
  messages: [
    { role: "user", content: [{ type: "text", text: "hi" }] },
    { role: "assistant", content: [{ type: "text", text: "ok" }, { type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "a\nb", is_error: false }] },
  ],
};

/** every path to a value inside `v` (objects and arrays), as key lists */
function paths(v: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}
const allPaths = paths(valid).filter((p) => p.length > 0);

function setAt(root: unknown, path: Array<string | number>, value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path.at(-1)!] = value;
  return copy;
}

const hostile = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, NaN, "", [], {}),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.anything({ maxDepth: 2 }), { maxKeys: 3 }),
  fc.constant("x".repeat(200_000)),
  fc.constant({ type: "mystery_block", payload: [1, 2, 3] }),
);

describe("translator", () => {
  it("never throws on arbitrary JSON; accepted bodies translate, rejected ones name a field", () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), (body) => {
      const v = validateRequest(body);
      if (v.ok) expect(() => JSON.stringify(toOpenAIRequest(v.value, nativeDialect, {}, {}))).not.toThrow();
      else expect(v.message).toMatch(/^[\w.]+: \S/);
    }), { numRuns: 2000 });
  });

  it("a valid request with one value replaced: accepted and translatable, or rejected naming that field (or a parent)", () => {
    fc.assert(fc.property(fc.constantFrom(...allPaths), hostile, (path, value) => {
      const body = setAt(valid, path, value);
      const v = validateRequest(body);
      if (v.ok) {
        expect(() => JSON.stringify(toOpenAIRequest(v.value, nativeDialect, {}, {}))).not.toThrow();
      } else {
        const named = v.message.slice(0, v.message.indexOf(":")).split(".");
        const full = path.map(String);
        // the named field is the changed one, a parent of it, or (for a changed discriminator) a sibling in its block
        expect(full.slice(0, Math.min(named.length, full.length - 1))).toEqual(named.slice(0, Math.min(named.length, full.length - 1)));
      }
    }), { numRuns: 3000 });
  });
});

describe("HTTP layer", () => {
  const h = harness();
  const post = (body: string | Uint8Array) => h.app.request("/v1/messages", { method: "POST", body, headers: { "content-type": "application/json" } });

  it("mutated requests → 200 or a 4xx Anthropic error naming the field; never 5xx", async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...allPaths), hostile, async (path, value) => {
      const res = await post(JSON.stringify(setAt(valid, path, value)));
      if (res.status === 200) { await res.arrayBuffer(); return; }
      expect(res.status).toBe(400);
      const b = (await res.json()) as { type: string; error: { type: string; message: string } };
      expect(b.type).toBe("error");
      expect(b.error.type).toBe("invalid_request_error");
      expect(b.error.message).toMatch(/^[\w.]+: \S/);
      expect(b.error.message).not.toMatch(/\n\s+at /); // no stack traces
    }), { numRuns: 1500 });
  });

  it("count_tokens takes the same hostile bodies: 200 or 400, never 5xx", async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...allPaths), hostile, async (path, value) => {
      const res = await h.app.request("/v1/messages/count_tokens", { method: "POST", body: JSON.stringify(setAt(valid, path, value)) });
      const b = (await res.json()) as { input_tokens?: number; error?: { message: string } };
      if (res.status === 200) expect(b.input_tokens).toEqual(expect.any(Number));
      else {
        expect(res.status).toBe(400);
        expect(b.error!.message).toMatch(/^[\w.]+: \S/);
      }
    }), { numRuns: 500 });
  });

  it("arbitrary bytes (invalid UTF-8, truncated JSON, garbage) → 400, never 5xx", async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
      fc.string().map((s) => new TextEncoder().encode(s)),
      fc.nat({ max: 2000 }).map((n) => new TextEncoder().encode(JSON.stringify(valid).slice(0, n))),
    );
    await fc.assert(fc.asyncProperty(bytes, async (b) => {
      const res = await post(b);
      const text = await res.text();
      if (res.status === 200) return; // a prefix can be whole valid JSON only when n ≥ the full length
      expect(res.status).toBe(400);
      expect(JSON.parse(text)).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: expect.stringMatching(/^[\w.]+: /) } });
    }), { numRuns: 1500 });
  });

  it("deep nesting and huge strings → 4xx or 200, and the app still serves", async () => {
    const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
    expect((await post(deep(200_000))).status).toBe(400);
    const deepInput = `{"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"b","input":${deep(100_000)}}]}]}`;
    expect((await post(deepInput)).status).toBe(400);
    const huge = await post(JSON.stringify({ ...valid, messages: [{ role: "user", content: "y".repeat(5_000_000) }] }));
    expect([200, 413]).toContain(huge.status);
    await huge.arrayBuffer();
    const after = await post(JSON.stringify(valid));
    expect(after.status).toBe(200);
    expect(((await after.json()) as { type: string }).type).toBe("message");
  });
});
