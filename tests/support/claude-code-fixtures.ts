// Captured Claude Code requests (tests/fixtures/claude-code, copied from ../shared/reference/claude-code).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AnthropicRequest } from "../../runtime/proxy/types.ts";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "claude-code");

export type FixtureName = "first-turn" | "tool-result-turn" | "multi-tool-final-turn" | "nonstreaming-fallback" | "side-request-session-title";

export interface CapturedRequest { method: string; url: string; headers: Record<string, string>; body: AnthropicRequest }

export function captured(name: FixtureName): CapturedRequest {
  return JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as CapturedRequest;
}

export const allFixtures: FixtureName[] = ["first-turn", "tool-result-turn", "multi-tool-final-turn", "nonstreaming-fallback", "side-request-session-title"];
