import { jsonDiff, summarizePreview, type PreviewStep } from "../../scripts/preview-summary.ts";

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
