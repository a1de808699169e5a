import type { EngineEvent } from "@pulumi/pulumi/automation/index.js";
import { diagnosticFromEvent, formatDiagnostics, jsonDiff, resourceLabel, summarizePreview, type PreviewDiagnostic, type PreviewStep } from "../../scripts/preview-summary.ts";

const spec = (maxInputs: number, gpu = "H200:1") => JSON.stringify({ appName: "a", gpu, scaling: { maxInputs, scaledownWindow: 300 } });
const urn = (type: string, name: string) => `urn:pulumi:dev::coding-agent-server::coding-agent-server:modal:VllmEndpoint$${type}::${name}`;

it("names the endpoint knobs that changed inside the deploy command's spec", () => {
  const steps: PreviewStep[] = [
    { op: "same", urn: "urn:pulumi:dev::coding-agent-server::pulumi:pulumi:Stack::coding-agent-server-dev", type: "pulumi:pulumi:Stack" },
    { op: "same", urn: urn("coding-agent-server:modal:VllmEndpoint", "coder"), type: "coding-agent-server:modal:VllmEndpoint" },
    {
      op: "update",
      urn: urn("command:local:Command", "coder-deploy"),
      type: "command:local:Command",
      diffs: ["environment"],
      detailedDiff: { "environment.ENDPOINT_SPEC": { diffKind: "update", inputDiff: true } },
      old: { inputs: { environment: { ENDPOINT_SPEC: spec(128) } } },
      new: { inputs: { environment: { ENDPOINT_SPEC: spec(64, "H100:1") } } },
    },
    { op: "same", urn: urn("command:local:Command", "vlm-deploy"), type: "command:local:Command" },
    { op: "create", urn: "urn:pulumi:dev::coding-agent-server::pulumi:providers:command::default_1_2_1", type: "pulumi:providers:command" },
  ];
  const { markdown, counts } = summarizePreview("dev", steps);
  expect(counts).toEqual({ same: 3, update: 1 });
  expect(markdown).toContain("### Pulumi preview — stack `dev`");
  expect(markdown).toContain("| `coder-deploy` | `command:local:Command` | update | spec gpu: \"H200:1\" → \"H100:1\"<br>spec scaling.maxInputs: 128 → 64 |");
  expect(markdown).not.toContain("vlm-deploy");
  expect(markdown).toContain("**1 to update, 3 to leave unchanged**");
});

it("counts a replace once and lists creates and deletes", () => {
  const steps: PreviewStep[] = [
    { op: "create-replacement", urn: urn("command:local:Command", "x"), type: "command:local:Command", diffs: ["triggers"] },
    { op: "replace", urn: urn("command:local:Command", "x"), type: "command:local:Command", diffs: ["triggers"] },
    { op: "delete-replaced", urn: urn("command:local:Command", "x"), type: "command:local:Command" },
    { op: "create", urn: urn("command:local:Command", "sera-deploy"), type: "command:local:Command" },
    { op: "delete", urn: urn("command:local:Command", "old-deploy"), type: "command:local:Command" },
  ];
  const { markdown, counts } = summarizePreview("prod", steps);
  expect(counts).toEqual({ replace: 1, create: 1, delete: 1 });
  expect(markdown).toContain("| `x` | `command:local:Command` | replace | triggers |");
  expect(markdown).toContain("**1 to create, 1 to replace, 1 to delete**");
});

it("says so when nothing changes", () => {
  expect(summarizePreview("dev", []).markdown).toContain("No changes.");
});

it("diffs nested JSON leaves", () => {
  expect(jsonDiff({ a: { b: 1, c: [1] } }, { a: { b: 2, c: [1, 2] }, d: true })).toEqual(["a.b: 1 → 2", "a.c: [1] → [1,2]", "d: (unset) → true"]);
});

describe("diagnostics", () => {
  const coderUrn = urn("coding-agent-server:modal:VllmEndpoint", "coder").replace("coding-agent-server:modal:VllmEndpoint$", "");
  const event = (severity: string, message: string, u?: string) => ({ sequence: 1, timestamp: 0, diagnosticEvent: { severity, message, prefix: `${severity}: `, color: "never", ...(u ? { urn: u } : {}) } }) as unknown as EngineEvent;

  it("keeps the engine's warnings and errors, with their resource, and drops debug and info output", () => {
    expect(diagnosticFromEvent(event("warning", "128 concurrent full-length sequences need 201.3 GiB\n", coderUrn))).toEqual({ severity: "warning", message: "128 concurrent full-length sequences need 201.3 GiB", urn: coderUrn });
    expect(diagnosticFromEvent(event("error", "invalid configuration:\n  coding-agent-server:coder.gpu: unknown GPU\n"))).toEqual({ severity: "error", message: "invalid configuration:\n  coding-agent-server:coder.gpu: unknown GPU" });
    expect(diagnosticFromEvent(event("debug", "Registering resource"))).toBeUndefined();
    expect(diagnosticFromEvent(event("info", "hello"))).toBeUndefined();
    expect(diagnosticFromEvent({ sequence: 1, timestamp: 0, cancelEvent: {} } as EngineEvent)).toBeUndefined();
  });

  it("labels a resource by its own type and name, the parent chain dropped", () => {
    expect(resourceLabel(urn("command:local:Command", "vlm-deploy"))).toBe("command:local:Command (vlm-deploy)");
    expect(resourceLabel(undefined)).toBe("the stack");
  });

  const diags: PreviewDiagnostic[] = [
    { severity: "warning", message: "coder: 128 concurrent full-length sequences need 201.3 GiB | vLLM will run 31", urn: coderUrn },
    { severity: "warning", message: "coder: 128 concurrent full-length sequences need 201.3 GiB | vLLM will run 31", urn: coderUrn },
    { severity: "error", message: "invalid configuration:\n  coding-agent-server:vlm.gpu: unknown GPU" },
  ];

  it("prints them per resource, each once, counted", () => {
    expect(formatDiagnostics(diags)).toBe(
      [
        "Diagnostics (1 error, 1 warning):",
        "  coding-agent-server:modal:VllmEndpoint (coder):",
        "    warning: coder: 128 concurrent full-length sequences need 201.3 GiB | vLLM will run 31",
        "",
        "  the stack:",
        "    error: invalid configuration:",
        "        coding-agent-server:vlm.gpu: unknown GPU",
        "",
      ].join("\n"),
    );
    expect(formatDiagnostics([])).toBe("");
  });

  it("lists them in the markdown summary, table-safe, and says when the preview failed", () => {
    const { markdown } = summarizePreview("dev", [], { diagnostics: diags, failed: true });
    expect(markdown).toContain("**The preview failed**");
    expect(markdown).toContain("#### Diagnostics (1 error, 1 warning)");
    expect(markdown).toContain("| `coder` (`coding-agent-server:modal:VllmEndpoint`) | warning | coder: 128 concurrent full-length sequences need 201.3 GiB \\| vLLM will run 31 |");
    expect(markdown).toContain("| the stack | error | invalid configuration:<br>coding-agent-server:vlm.gpu: unknown GPU |");
    expect(markdown.match(/\| warning \|/g)).toHaveLength(1);
    const clean = summarizePreview("dev", []).markdown;
    expect(clean).not.toContain("Diagnostics");
    expect(clean).not.toContain("failed");
  });
});
