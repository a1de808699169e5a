// The validation fast lane (translate/well-formed.ts) against the zod schema it stands in for (translate/validate.ts):
// a body the fast check accepts is one zod accepts, and zod's reading of it is the body itself; real Claude Code
// bodies take the fast lane (so it is not a check that never fires); everything it refuses still gets zod's verdict.
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { validateRequest } from "../../runtime/proxy/translate/validate.ts";
import { wellFormedRequest } from "../../runtime/proxy/translate/well-formed.ts";

const dir = join(import.meta.dirname, "../fixtures/claude-code");
const captured = readdirSync(dir)
  .map((f) => ({ f, body: JSON.parse(readFileSync(join(dir, f), "utf8")).body as unknown }))
  .filter((c) => c.body !== null && c.body !== undefined);

/** the fast lane may only say yes when zod says yes and reads the body as it is */
function agrees(body: unknown): boolean {
  const fast = wellFormedRequest(body);
  const v = validateRequest(body);
  if (fast) {
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.value).toEqual(body);
  }
  return fast;
}

// ---- generators: request-shaped values, valid by construction, then mutated
const json = fc.jsonValue({ maxDepth: 2 });
const extra = fc.dictionary(fc.constantFrom("cache_control", "citations", "metadata", "x"), json, { maxKeys: 2 });
const withExtra = <T extends object>(a: fc.Arbitrary<T>) => fc.tuple(a, extra).map(([v, e]) => ({ ...e, ...v }));
const str = fc.string({ maxLength: 12 });
const block = fc.oneof(
  withExtra(fc.record({ type: fc.constant("text"), text: str })),
  withExtra(fc.record({ type: fc.constant("image"), source: fc.oneof(
    fc.record({ type: fc.constant("base64"), media_type: fc.constantFrom("image/png", "image/jpeg"), data: str }),
    fc.record({ type: fc.constant("url"), url: str }),
  ) })),
  withExtra(fc.record({ type: fc.constant("tool_use"), id: str, name: str, input: json })),
  withExtra(fc.record({
    type: fc.constant("tool_result"), tool_use_id: str,
    content: fc.oneof(str, fc.array(withExtra(fc.record({ type: fc.constantFrom("text", "image", "other") })), { maxLength: 2 })),
    is_error: fc.boolean(),
  }, { requiredKeys: ["type", "tool_use_id"] })),
  withExtra(fc.record({ type: fc.constant("thinking"), thinking: str, signature: str })),
  withExtra(fc.record({ type: fc.constantFrom("redacted_thinking", "server_tool_use", "mystery"), data: json })),
);
const message = withExtra(fc.record({ role: fc.constantFrom("user", "assistant", "system"), content: fc.oneof(str, fc.array(block, { minLength: 1, maxLength: 4 })) }));
const request = withExtra(fc.record({
  model: str,
  messages: fc.array(message, { minLength: 1, maxLength: 4 }),
  max_tokens: fc.integer({ min: 1, max: 2 ** 31 }),
  system: fc.oneof(str, fc.array(withExtra(fc.record({ type: fc.constant("text"), text: str }, { requiredKeys: ["type"] })), { maxLength: 2 })),
  tools: fc.array(withExtra(fc.record({ name: str, description: str, input_schema: fc.dictionary(str, json, { maxKeys: 3 }) }, { requiredKeys: ["name"] })), { maxLength: 2 }),
  tool_choice: fc.oneof(fc.record({ type: fc.constantFrom("auto", "any", "none") }), fc.record({ type: fc.constant("tool"), name: str })),
  stream: fc.boolean(),
  temperature: fc.double({ noNaN: true, noDefaultInfinity: true }),
  top_p: fc.double({ min: 0, max: 1, noNaN: true }),
  top_k: fc.integer(),
  stop_sequences: fc.array(str, { maxLength: 2 }),
  thinking: fc.record({ type: fc.constantFrom("enabled", "disabled", "adaptive"), budget_tokens: fc.integer({ min: 0 }) }, { requiredKeys: ["type"] }),
}, { requiredKeys: ["model", "messages", "max_tokens"] }));

/** every field the schema reads, every block type and every optional key: the base of the exhaustive mutation test */
const kitchenSink = {
  model: "m", max_tokens: 64, stream: true, temperature: 0.5, top_p: 0.9, top_k: 40, stop_sequences: ["END"],
  system: [{ type: "text", text: "sys", cache_control: { type: "ephemeral" } }],
  tools: [{ name: "Bash", description: "run", input_schema: { type: "object", properties: { command: { type: "string" } } } }],
  tool_choice: { type: "tool", name: "Bash" },
  thinking: { type: "enabled", budget_tokens: 1024 },
  metadata: { user_id: "u" },
  messages: [
    { role: "user", content: [
      { type: "text", text: "hi" },
      { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
      { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
    ] },
    { role: "assistant", content: [
      { type: "thinking", thinking: "hm", signature: "s" },
      { type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } },
      { type: "redacted_thinking", data: "x" },
    ] },
    { role: "user", content: [
      { type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "a" }], is_error: false },
      { type: "tool_result", tool_use_id: "t1", content: "b" },
    ] },
    { role: "system", content: "s" },
  ],
};
const HOSTILE: unknown[] = [null, undefined, true, 0, -1, 1.5, 2 ** 53, NaN, Infinity, "", "tool", "text", "base64", [], [1], {}, { type: 1 }, new Date(0)];

const hostile = fc.oneof(
  fc.constantFrom(null, undefined, true, false, 0, -1, 1.5, 2 ** 53, NaN, Infinity, "", [], {}, "tool", "text", "user"),
  fc.string({ maxLength: 6 }), fc.integer(), fc.double(), json,
  fc.constant(new Date(0)), fc.constant(Object.create(null)),
);

/** every path to a value inside `v` */
function paths(v: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = prefix.length ? [prefix] : [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

/** a copy of `root` with the value at `path` replaced, or deleted (`del`). Copied through JSON, not structuredClone:
 *  that builds its objects in the outer realm under jest, and the fast lane takes only this realm's plain objects. */
function mutate(root: unknown, path: Array<string | number>, value: unknown, del: boolean): unknown {
  const copy = JSON.parse(JSON.stringify(root)) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  if (del && !Array.isArray(cur)) delete cur[path.at(-1)!];
  else cur[path.at(-1)!] = value;
  return copy;
}

describe("validation fast lane (well-formed.ts) vs the zod schema", () => {
  it("every captured Claude Code body takes the fast lane, and zod reads it unchanged", () => {
    expect(captured.length).toBeGreaterThanOrEqual(4);
    for (const { f, body } of captured) expect([f, agrees(body)]).toEqual([f, true]);
  });

  it("generated valid requests: the fast lane takes them all, and zod agrees", () => {
    fc.assert(fc.property(request, (body) => {
      expect(agrees(body)).toBe(true);
    }), { numRuns: 3000 });
  });

  it("one value replaced or deleted anywhere: the fast lane says yes only where zod does (and both say no often)", () => {
    let fastYes = 0, zodNo = 0;
    fc.assert(fc.property(request.chain((r) => fc.tuple(fc.constant(r), fc.constantFrom(...paths(r).concat([["model"]])), hostile, fc.boolean())), ([r, path, value, del]) => {
      const body = mutate(r, path, value, del);
      if (agrees(body)) fastYes++;
      if (!validateRequest(body).ok) zodNo++;
    }), { numRuns: 5000 });
    // the mutations reach both verdicts: the property above is not vacuous
    expect(zodNo).toBeGreaterThan(1000);
    expect(fastYes).toBeGreaterThan(1000);
  });

  it("every field of a full request replaced by every hostile kind, or deleted: the fast lane never says yes alone", () => {
    expect(agrees(kitchenSink)).toBe(true);
    let zodNo = 0, fastYes = 0;
    for (const path of paths(kitchenSink)) {
      for (const del of [true, false]) {
        for (const value of del ? [undefined] : HOSTILE) {
          const body = mutate(kitchenSink, path, value, del);
          if (agrees(body)) fastYes++;
          if (!validateRequest(body).ok) zodNo++;
        }
      }
    }
    expect(zodNo).toBeGreaterThan(300);
    expect(fastYes).toBeGreaterThan(100);
  });

  it("captured bodies mutated at every path with every hostile kind", () => {
    for (const { body } of captured.slice(0, 3)) {
      const ps = paths(body);
      let fastYes = 0;
      fc.assert(fc.property(fc.constantFrom(...ps), hostile, fc.boolean(), (path, value, del) => {
        if (agrees(mutate(body, path, value, del))) fastYes++;
      }), { numRuns: 1500 });
      expect(fastYes).toBeGreaterThan(100);
    }
  });

  it("arbitrary JSON and non-objects are left to zod", () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (body) => { agrees(body); }), { numRuns: 2000 });
    for (const v of [null, undefined, 1, "x", [], [{}], new Date(0)]) expect(agrees(v)).toBe(false);
  });
});
