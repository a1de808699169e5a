// End to end with the REAL qwen-code (node_modules/.bin/qwen, the pinned 0.24.4) and the real MCP server
// (mcp/main.ts): the installer writes a temporary HOME from an outputs file, then `qodal "<prompt>"` runs qwen
// non-interactively in its default approval mode. The stub coder walks qwen's deferred-tool flow (tool_search →
// tool_call bridge → answer), qwen starts mcp/main.ts, the MCP server sends the image to the stub VLM, and the
// VLM's answer comes back on qodal's stdout.
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runScenario } from "./e2e/scenario.ts";
import { expectToolRoundTrip } from "./e2e/expectations.ts";

const projectDir = resolve(import.meta.dirname, "..", "..");
let workDir: string;

beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), "qodal-e2e-"));
});
afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe("qodal with the real qwen-code and the vlm-analyzer MCP server", () => {
  it("runs the MCP tool and returns the VLM's answer", async () => {
    const r = await runScenario({ projectDir, workDir, privacy: "installer", timeoutMs: 90_000 });
    expectToolRoundTrip(r);
    expect(r.coderRequests.every((q) => q.headers["modal-key"] === undefined)).toBe(true);
  }, 150_000);

  it("passes Modal proxy credentials to the coder (headers) and to the MCP server (env) when the endpoints require them", async () => {
    // Both stubs answer Modal's 401 to any request without the right Modal-Key/Modal-Secret.
    const modalProxy = { tokenId: "wk-e2e-proxy", tokenSecret: "ws-e2e-proxy-secret" };
    const r = await runScenario({ projectDir, workDir, privacy: "installer", modalProxy, timeoutMs: 90_000 });
    expectToolRoundTrip(r);
    for (const q of [...r.coderRequests, ...r.vlmRequests]) {
      expect([q.headers["modal-key"], q.headers["modal-secret"]]).toEqual([modalProxy.tokenId, modalProxy.tokenSecret]);
    }
  }, 150_000);
});
