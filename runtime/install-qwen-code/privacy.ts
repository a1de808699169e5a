// Every qwen-code control that phones home or makes a background model call, and the value that turns it off.
// Audited in @qwen-code/qwen-code 0.24.4 (settings schema in chunks/chunk-D2H63VR2.js; the 0.15.10 evidence with
// cli.js line numbers is in ../shared/reference/qwen-code/NOTES.md). The installer ALWAYS writes all of them.
import type { JsonPath } from "./json-path.ts";

export interface PrivacyControl {
  readonly path: JsonPath;
  readonly value: unknown;
  /** What it gates when left at qwen's default. */
  readonly why: string;
}

export const PRIVACY_SETTINGS: readonly PrivacyControl[] = [
  {
    path: ["privacy", "usageStatisticsEnabled"],
    value: false,
    why: "default true: uploads usage data (QwenLogger RUM) to gb4w8c3ygj-default-sea.rum.aliyuncs.com at every start",
  },
  { path: ["telemetry", "enabled"], value: false, why: "OpenTelemetry export (OTLP to localhost:4317 or Google Cloud)" },
  { path: ["telemetry", "logPrompts"], value: false, why: "default true: prompts included in telemetry if it is ever enabled" },
  { path: ["general", "enableAutoUpdate"], value: false, why: "default true: npm registry update check and auto-install" },
  { path: ["ui", "enableUserFeedback"], value: false, why: "default true: feedback dialog that reports to Qwen" },
  { path: ["tools", "webSearch", "enabled"], value: false, why: "web_search goes to the DashScope backend when it activates" },
  { path: ["memory", "enableManagedAutoMemory"], value: false, why: "default true: background memory-extraction model call" },
  { path: ["memory", "enableManagedAutoDream"], value: false, why: "default true (0.24): background memory consolidation call" },
  { path: ["memory", "enableAutoSkill"], value: false, why: "background skill-review model call" },
  { path: ["ui", "enableFollowupSuggestions"], value: false, why: "default true (0.24): follow-up suggestion model call" },
  { path: ["ui", "enableSpeculation"], value: false, why: "speculative execution of suggestions" },
  { path: ["experimental", "emitToolUseSummaries"], value: false, why: "default true (0.24): tool-batch summary model call" },
];

/**
 * Environment switches with no settings key. Written to settings `env` (qwen copies it into its process
 * environment at start) and exported by `qodal`.
 */
export const PRIVACY_ENV: Readonly<Record<string, string>> = {
  // Startup HEAD preconnect to the provider's default host (api.openai.com, dashscope, …).
  QWEN_CODE_DISABLE_PRECONNECT: "1",
  // Session auto-title: a background model call after the first turn.
  QWEN_DISABLE_AUTO_TITLE: "1",
};
