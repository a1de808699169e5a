// The same end-to-end run inside a loopback-only network namespace whose resolver is a DNS logger on
// 127.0.0.1:53 (tests/support/netns*.ts): with the installer's settings qwen-code must try to resolve no name at
// all; with the phone-home keys back at qwen's defaults the same harness must see the usage-statistics host, which
// shows the harness can catch a leak. Creating a namespace needs root and iproute2; without them these tests FAIL
// with the reason (they are not skipped), because passing would claim an isolation check that never ran.
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { netnsSupport, withLoopbackNetns } from "../support/netns.ts";
import type { DnsQuery } from "../support/netns-dns-logger.ts";
import type { ScenarioOptions, ScenarioResult } from "./e2e/scenario.ts";
import { expectToolRoundTrip } from "./e2e/expectations.ts";
import { ABSENT, getAt } from "../../runtime/install-qwen-code/json-path.ts";
import { PRIVACY_SETTINGS } from "../../runtime/install-qwen-code/privacy.ts";

const projectDir = resolve(import.meta.dirname, "..", "..");
const entry = join(import.meta.dirname, "e2e", "netns-entry.ts");
// Hard-coded in qwen-code's QwenLogger (chunks/chunk-2VS5EEXU.js USAGE_STATS_HOSTNAME, 0.24.4).
const USAGE_STATS_HOST = "gb4w8c3ygj-default-sea.rum.aliyuncs.com";
const support = await netnsSupport();
let workDir: string;

beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), "qodal-netns-"));
});
afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function runIsolated(privacy: ScenarioOptions["privacy"]): Promise<{ result: ScenarioResult; dnsQueries: DnsQuery[] }> {
  if (!support.ok) throw new Error(`NOT RUN — the network-isolation test cannot create a namespace: ${support.reason}`);
  const resultFile = join(workDir, "result.json");
  const options: ScenarioOptions & { resultFile: string } = { projectDir, workDir, privacy, timeoutMs: 90_000, resultFile };
  return withLoopbackNetns("qodal", async (ns) => {
    const [ip, ...prefix] = ns.execPrefix;
    const run = await execa(ip as string, [...prefix, process.execPath, entry, JSON.stringify(options)], { reject: false, timeout: 150_000, stdin: "ignore" });
    if (run.exitCode !== 0) throw new Error(`the scenario failed inside namespace ${ns.name} (exit ${run.exitCode}):\n${run.stderr}`);
    return JSON.parse(await readFile(resultFile, "utf8")) as { result: ScenarioResult; dnsQueries: DnsQuery[] };
  });
}

describe("qodal in a loopback-only network namespace with a DNS logger", () => {
  it("with the installer's settings: the MCP round trip works and no name is looked up", async () => {
    const { result, dnsQueries } = await runIsolated("installer");
    expectToolRoundTrip(result);
    expect(dnsQueries).toEqual([]);
  }, 180_000);

  it("with the phone-home keys left at qwen's defaults: the harness records the usage-statistics host", async () => {
    const { result, dnsQueries } = await runIsolated("qwen-defaults");
    expect(result.installer.exitCode).toBe(0);
    for (const control of PRIVACY_SETTINGS) expect([control.path, getAt(result.settings, control.path)]).toEqual([control.path, ABSENT]);
    expect(dnsQueries.map((q) => q.name)).toContain(USAGE_STATS_HOST);
  }, 180_000);
});
