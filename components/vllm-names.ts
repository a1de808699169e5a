// The names vLLM accepts for --tool-call-parser, --reasoning-parser and --kv-cache-dtype, as read from vLLM's own
// registries by `npm run vllm-names` into vllm-names.json (checked in: preview needs no Python, and
// tests/vllm/names.test.ts compares the file with the installed vLLM). vLLM's argument parser alone takes any string
// for these, so without this list a typo surfaces only when the container starts on a GPU.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

export const VLLM_NAMES_FILE = join(dirname(fileURLToPath(import.meta.url)), "vllm-names.json");

const namesSchema = z.strictObject({
  vllmVersion: z.string(),
  toolCallParsers: z.array(z.string()).min(1),
  reasoningParsers: z.array(z.string()).min(1),
  kvCacheDtypes: z.array(z.string()).min(1),
});
export type VllmNames = z.output<typeof namesSchema>;
export type VllmNameKind = "toolCallParsers" | "reasoningParsers" | "kvCacheDtypes";

export const VLLM_NAMES: VllmNames = namesSchema.parse(JSON.parse(readFileSync(VLLM_NAMES_FILE, "utf8")));

const WHAT: Readonly<Record<VllmNameKind, string>> = { toolCallParsers: "tool call parser", reasoningParsers: "reasoning parser", kvCacheDtypes: "KV-cache dtype" };

/** undefined when vLLM knows `value`; else the message naming vLLM's valid names. */
export function unknownVllmName(kind: VllmNameKind, value: string, names: VllmNames = VLLM_NAMES): string | undefined {
  if (names[kind].includes(value)) return undefined;
  return `vLLM ${names.vllmVersion} has no ${WHAT[kind]} "${value}"; valid: ${names[kind].join(", ")}`;
}
