// Assertions shared by the host and the network-namespace end-to-end tests.
import { expect } from "@jest/globals";
import { CODER_KEY, CODER_MODEL, FINAL_PREFIX, MCP_TOOL, VLM_ANSWER, VLM_KEY, VLM_REASONING } from "./scenario.ts";
import type { ScenarioResult } from "./scenario.ts";

const explain = (r: ScenarioResult) =>
  `installer exit ${r.installer.exitCode}: ${r.installer.stderr}\nqodal exit ${r.qodal.exitCode} (timed out: ${r.qodal.timedOut})\nstdout: ${r.qodal.stdout}\nstderr: ${r.qodal.stderr}`;

/** What every successful run shows, whatever the network or credentials. */
export function expectToolRoundTrip(r: ScenarioResult): void {
  expect({ installer: r.installer.exitCode, qodal: r.qodal.exitCode, why: r.qodal.exitCode === 0 ? "" : explain(r) }).toEqual({ installer: 0, qodal: 0, why: "" });
  expect(r.settingsMode).toBe(0o600);
  expect(r.settingsRewrittenByQwen).toBe(false); // "$version": 4 keeps qwen from migrating our file
  // The answer is the VLM's, brought back through the MCP tool; the Thinking model's reasoning is not.
  expect(r.qodal.stdout).toContain(FINAL_PREFIX);
  expect(r.qodal.stdout).toContain(VLM_ANSWER);
  expect(r.qodal.stdout).not.toContain(VLM_REASONING);
  // qwen 0.24's deferred-tool flow, all against the coder model from the outputs, with its key.
  expect(r.coderRequests.map((q) => [q.path, q.model, q.headers["authorization"]])).toEqual(
    Array(3).fill(["/v1/chat/completions", CODER_MODEL, `Bearer ${CODER_KEY}`]),
  );
  expect(r.coderRequests[0]?.tools).toEqual(expect.arrayContaining(["tool_search", "tool_call"]));
  expect(r.coderRequests[0]?.tools).not.toContain(MCP_TOOL);
  expect(r.coderRequests[2]?.calls).toEqual(["tool_search", "tool_call"]);
  // Exactly one VLM call, carrying our 640×480 image, with the VLM's key.
  expect(r.vlmRequests).toHaveLength(1);
  expect(r.vlmRequests[0]?.headers["authorization"]).toBe(`Bearer ${VLM_KEY}`);
  expect(r.vlmRequests[0]?.images).toEqual([{ width: 640, height: 480 }]);
}

