// The settings merge as pure functions: what the installer owns, what stays the user's, and the way back.
import { describe, expect, it } from "@jest/globals";
import { desiredEntries, CODER_KEY_ENV, SETTINGS_VERSION } from "../../runtime/install-qwen-code/desired.ts";
import { planInstall, planUninstall } from "../../runtime/install-qwen-code/plan.ts";
import { getAt, ABSENT } from "../../runtime/install-qwen-code/json-path.ts";
import type { JsonObject } from "../../runtime/install-qwen-code/json-path.ts";
import { PRIVACY_SETTINGS } from "../../runtime/install-qwen-code/privacy.ts";
import type { StackOutputs } from "../../runtime/install-qwen-code/outputs.ts";
import { settingsDiff } from "../../runtime/install-qwen-code/diff.ts";

const outputs = (model = "unsloth/Qwen3-Coder-Next-FP8-Dynamic"): StackOutputs => ({
  coder: { baseUrl: "https://ws--coder-serve.modal.run/v1", model, apiKey: "sk-coder-secret" },
  vlmMcpServer: {
    command: "/opt/node/bin/node",
    args: ["/repo/mcp/main.ts"],
    env: { VLM_ENDPOINT: "https://ws--vlm-serve.modal.run/v1", VLM_MODEL: "Qwen/Qwen3-VL-32B-Thinking-FP8", VLM_TIMEOUT: "600" },
  },
});

// A user's settings with keys the installer must keep, including ones it also manages.
const userSettings = (): JsonObject => ({
  $version: 4,
  ui: { theme: "Dracula", enableFollowupSuggestions: true },
  telemetry: { enabled: true, target: "local" },
  mcpServers: { github: { command: "gh-mcp", args: [] } },
  modelProviders: { openai: [{ id: "gpt-4.1", baseUrl: "https://api.openai.com/v1", envKey: "OPENAI_API_KEY" }] },
  env: { MY_VAR: "x" },
  model: { name: "gpt-4.1" },
});

describe("planInstall", () => {
  it("adds the coder, the MCP server and the privacy switches while keeping every user key", () => {
    const { settings, changed } = planInstall(userSettings(), undefined, desiredEntries({ outputs: outputs() }));
    expect(changed).toBe(true);
    expect(settings["$version"]).toBe(SETTINGS_VERSION);
    expect(getAt(settings, ["ui", "theme"])).toBe("Dracula");
    expect(getAt(settings, ["telemetry", "target"])).toBe("local");
    expect(getAt(settings, ["mcpServers", "github"])).toEqual({ command: "gh-mcp", args: [] });
    expect(getAt(settings, ["env", "MY_VAR"])).toBe("x");
    expect(getAt(settings, ["modelProviders", "openai", { id: "gpt-4.1" }])).toEqual({ id: "gpt-4.1", baseUrl: "https://api.openai.com/v1", envKey: "OPENAI_API_KEY" });
    expect(getAt(settings, ["modelProviders", "openai", { id: "unsloth/Qwen3-Coder-Next-FP8-Dynamic" }])).toMatchObject({
      baseUrl: "https://ws--coder-serve.modal.run/v1",
      envKey: CODER_KEY_ENV,
    });
    expect(getAt(settings, ["env", CODER_KEY_ENV])).toBe("sk-coder-secret");
    expect(getAt(settings, ["model", "name"])).toBe("unsloth/Qwen3-Coder-Next-FP8-Dynamic");
    expect(getAt(settings, ["security", "auth", "selectedType"])).toBe("openai");
    expect(getAt(settings, ["mcpServers", "vlm-analyzer"])).toMatchObject({ command: "/opt/node/bin/node", args: ["/repo/mcp/main.ts"], trust: true });
  });

  it("turns every phone-home control off, overriding what the user had", () => {
    const { settings } = planInstall(userSettings(), undefined, desiredEntries({ outputs: outputs() }));
    for (const control of PRIVACY_SETTINGS) expect([control.path, getAt(settings, control.path)]).toEqual([control.path, control.value]);
    expect(getAt(settings, ["telemetry", "enabled"])).toBe(false);
    expect(getAt(settings, ["ui", "enableFollowupSuggestions"])).toBe(false);
  });

  it("is idempotent: a second plan over its own result changes nothing and keeps the first 'before' values", () => {
    const desired = desiredEntries({ outputs: outputs() });
    const first = planInstall(userSettings(), undefined, desired);
    const second = planInstall(first.settings, first.record, desired);
    expect(second.changed).toBe(false);
    expect(second.settings).toEqual(first.settings);
    expect(second.record).toEqual(first.record);
  });

  it("replaces the provider entry of an earlier install when the stack serves another model", () => {
    const first = planInstall(userSettings(), undefined, desiredEntries({ outputs: outputs("old/model") }));
    const second = planInstall(first.settings, first.record, desiredEntries({ outputs: outputs("new/model") }));
    expect(getAt(second.settings, ["modelProviders", "openai", { id: "old/model" }])).toBe(ABSENT);
    expect(getAt(second.settings, ["modelProviders", "openai", { id: "new/model" }])).not.toBe(ABSENT);
    expect(getAt(second.settings, ["modelProviders", "openai", { id: "gpt-4.1" }])).not.toBe(ABSENT);
    // Uninstall after the switch still returns to the user's original file.
    expect(planUninstall(second.settings, second.record).settings).toEqual(userSettings());
  });
});

describe("planUninstall", () => {
  it("restores exactly the settings before the install (replaced values back, added keys and containers gone)", () => {
    for (const before of [userSettings(), {}]) {
      const installed = planInstall(before, undefined, desiredEntries({ outputs: outputs() }));
      const again = planInstall(installed.settings, installed.record, desiredEntries({ outputs: outputs() }));
      const { settings, leftAlone, changed } = planUninstall(again.settings, again.record);
      expect(changed).toBe(true);
      expect(settings).toEqual(before);
      expect(leftAlone).toEqual([]);
    }
  });

  it("leaves a managed value the user changed after the install, and keeps keys the user added since", () => {
    const installed = planInstall(userSettings(), undefined, desiredEntries({ outputs: outputs() }));
    const edited = structuredClone(installed.settings) as JsonObject;
    (edited["model"] as JsonObject)["name"] = "gpt-4.1-mini";
    (edited["ui"] as JsonObject)["vimMode"] = true;
    const { settings, leftAlone } = planUninstall(edited, installed.record);
    expect(getAt(settings, ["model", "name"])).toBe("gpt-4.1-mini");
    expect(getAt(settings, ["ui", "vimMode"])).toBe(true);
    expect(leftAlone).toEqual([["model", "name"]]);
    expect(getAt(settings, ["mcpServers", "vlm-analyzer"])).toBe(ABSENT);
    expect(getAt(settings, ["telemetry", "enabled"])).toBe(true);
  });
});

describe("settingsDiff", () => {
  it("lists added, changed and removed values and never shows a secret", () => {
    const before = userSettings();
    const { settings } = planInstall(before, undefined, desiredEntries({ outputs: outputs(), modalProxy: { tokenId: "wk-1", tokenSecret: "ws-very-secret" } }));
    const lines = settingsDiff(before, settings, new Set(["sk-coder-secret", "ws-very-secret"]));
    expect(lines).toContain("~ telemetry.enabled: true -> false");
    expect(lines).toContain("~ model.name: \"gpt-4.1\" -> \"unsloth/Qwen3-Coder-Next-FP8-Dynamic\"");
    expect(lines).toContain('+ mcpServers.vlm-analyzer.trust: true');
    expect(lines.join("\n")).not.toMatch(/sk-coder-secret|ws-very-secret/);
    expect(lines).toContain(`+ env.${CODER_KEY_ENV}: "<redacted>"`);
    expect(settingsDiff(settings, settings)).toEqual([]);
    expect(settingsDiff({ a: 1 }, {})).toEqual(["- a: 1"]);
  });
});
