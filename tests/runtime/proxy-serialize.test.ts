// The upstream body's serializer (translate/serialize.ts) caches long strings as ASCII-escaped JSON: the text must
// parse to exactly the request JSON.stringify would give, for any strings (fast-check), on a cold and a warm cache,
// come out pure ASCII when long strings carry the non-ASCII characters, and keep to its memory budget.
import fc from "fast-check";
import { encodeUtf8 } from "../../runtime/proxy/utf8.ts";
import { asciiJson, requestSerializer } from "../../runtime/proxy/translate/serialize.ts";
import type { OpenAIChatRequest } from "../../runtime/proxy/types.ts";

const long = (s: string) => s.padEnd(300, "é✓ \n\"\\\u2028😀");
const request = (sys: string, user: string, desc: string, args: string): OpenAIChatRequest => ({
  model: "m", max_tokens: 10, stream: true,
  messages: [
    { role: "system", content: sys },
    { role: "user", content: [{ type: "text", text: user }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] },
    { role: "assistant", content: null, tool_calls: [{ id: "t1", type: "function", function: { name: "Bash", arguments: args } }], reasoning_content: user },
    { role: "tool", tool_call_id: "t1", content: sys },
  ],
  tools: [{ type: "function", function: { name: "Bash", description: desc, parameters: { type: "object", properties: { command: { type: "string", description: desc } }, required: ["command"] } } }],
});

it("asciiJson: ASCII only, and the same value (lone surrogates, pairs, controls)", () => {
  fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => {
    const j = asciiJson(s);
    expect(/^[\x00-\x7f]*$/.test(j)).toBe(true);
    expect(JSON.parse(j)).toBe(s);
  }));
});

it("parses to what JSON.stringify gives, cold and warm, with long and short strings", () => {
  const ser = requestSerializer();
  fc.assert(fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), fc.boolean(), (a, b, lng) => {
    const req = request(lng ? long(a) : a, lng ? long(b) : b, long(b), lng ? long(a) : "{}");
    for (let round = 0; round < 2; round++) expect(JSON.parse(ser(req))).toEqual(JSON.parse(JSON.stringify(req)));
  }), { numRuns: 200 });
});

it("long strings' non-ASCII characters become escapes: the body is ASCII, its UTF-8 bytes its Latin-1 ones", () => {
  const req = request(long("system ✓"), long("user é"), long("a tool — described"), long('{"command":"ls ✓"}'));
  const text = requestSerializer()(req);
  expect(/^[\x00-\x7f]*$/.test(text)).toBe(true);
  expect(text).toContain("\\u2713");
  expect(JSON.parse(encodeUtf8(text).toString("utf8"))).toEqual(JSON.parse(JSON.stringify(req)));
});

it("encodeUtf8 of long ASCII text (its Latin-1 road) equals Buffer.from, and non-ASCII text does not take it", () => {
  fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), minLength: 1100, maxLength: 3000 }), fc.integer({ min: 0x80, max: 0xffff }), (s, c) => {
    expect(encodeUtf8(s).equals(Buffer.from(s, "utf8"))).toBe(true);
    // one character whose low byte is ASCII (U+0141 → 0x41) must still be encoded as UTF-8
    const t = s + String.fromCharCode(c);
    expect(encodeUtf8(t).equals(Buffer.from(t, "utf8"))).toBe(true);
  }));
});

it("holds at most its budget, the most recently used strings first", () => {
  const ser = requestSerializer(2000);
  const s = (c: string) => c.repeat(600);
  for (const c of ["a", "b", "c", "d"]) ser(request(s(c), "x", "y", "{}"));
  expect(ser.heldChars).toBeLessThanOrEqual(2000);
  expect(ser.heldChars).toBe(1800); // b, c, d
  for (const c of ["a", "b"]) expect(JSON.parse(ser(request(s(c), "x", "y", "{}"))).messages[0].content).toBe(s(c));
});

it("a tool schema's every key survives, \"__proto__\" and \"constructor\" included", () => {
  const parameters = JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string","description":"x"},"constructor":{"type":"string"}}}') as Record<string, unknown>;
  const req: OpenAIChatRequest = { model: "m", max_tokens: 1, stream: false, messages: [{ role: "user", content: "hi" }], tools: [{ type: "function", function: { name: "T", parameters } }] };
  expect(JSON.parse(requestSerializer()(req))).toEqual(JSON.parse(JSON.stringify(req)));
  expect(requestSerializer()(req)).toContain('"__proto__":{"type":"string"');
});
