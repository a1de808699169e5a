// runtime/proxy/utf8.ts must give exactly what Node's own conversions give (it only takes a faster road):
// decoding = TextDecoder("utf-8", { fatal: true }) (invalid bytes → undefined, a BOM dropped), encoding = Buffer.from.
import fc from "fast-check";
import { decodeUtf8, encodeUtf8 } from "../../runtime/proxy/utf8.ts";

const strict = new TextDecoder("utf-8", { fatal: true });
function reference(bytes: Uint8Array): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}

// long enough to take the transcode path (≥ 1 KiB) as well as short ones
const text = fc.oneof(fc.string({ unit: "grapheme", maxLength: 40 }), fc.string({ unit: "grapheme", minLength: 1100, maxLength: 3000 }));
const anyUtf16 = fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), fc.string({ unit: "binary", minLength: 1100, maxLength: 3000 }));

describe("decodeUtf8", () => {
  it("equals strict TextDecoder on valid UTF-8, ASCII-only or not, with and without a BOM", () => {
    fc.assert(
      fc.property(text, fc.boolean(), (s, bom) => {
        const bytes = Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(s, "utf8")]);
        expect(decodeUtf8(bytes)).toBe(reference(bytes));
      }),
    );
  });

  it("rejects what strict TextDecoder rejects (arbitrary bytes, truncated sequences, encoded surrogates)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 1100, maxLength: 2000 })), (bytes) => {
        expect(decodeUtf8(bytes)).toBe(reference(bytes));
      }),
    );
    const long = "—".repeat(600);
    for (const bad of [Buffer.from([0xed, 0xa0, 0x80]), Buffer.concat([Buffer.from(long), Buffer.from([0xe2, 0x80])]), Buffer.concat([Buffer.from(long), Buffer.from([0xc0, 0xaf])])]) {
      expect(decodeUtf8(bad)).toBeUndefined();
    }
  });

  it("reads a Uint8Array view at an offset, not the whole underlying buffer", () => {
    const whole = Buffer.from(`xx${"é".repeat(700)}yy`);
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 2, whole.length - 4);
    expect(decodeUtf8(view)).toBe("é".repeat(700));
  });
});

describe("encodeUtf8", () => {
  it("equals Buffer.from(s, 'utf8') for any UTF-16 string, lone surrogates included", () => {
    fc.assert(
      fc.property(anyUtf16, (s) => {
        expect(encodeUtf8(s).equals(Buffer.from(s, "utf8"))).toBe(true);
      }),
    );
  });

  it("round-trips JSON of a body with non-ASCII text through decodeUtf8", () => {
    const body = JSON.stringify({ system: `You are Claude Code — a CLI → ${"x".repeat(2000)} 😀`, messages: [] });
    expect(decodeUtf8(encodeUtf8(body))).toBe(body);
  });
});
