// Runs the e2e scenario inside a loopback-only network namespace (started by the test with `ip netns exec`):
// the DNS logger takes 127.0.0.1:53, the scenario runs, and the result plus every DNS query goes to a JSON file.
// Usage: node netns-entry.ts '<ScenarioOptions & {resultFile}>'
import { writeFile } from "node:fs/promises";
import { startDnsLogger } from "../../support/netns-dns-logger.ts";
import { runScenario } from "./scenario.ts";
import type { ScenarioOptions } from "./scenario.ts";

const options = JSON.parse(process.argv[2] ?? "{}") as ScenarioOptions & { resultFile: string };
const dns = await startDnsLogger("127.0.0.1", 53);
try {
  const result = await runScenario(options);
  // Late lookups (a flush at exit) have had the whole run to arrive; give in-flight datagrams a moment.
  await new Promise((r) => setTimeout(r, 200));
  await writeFile(options.resultFile, JSON.stringify({ result, dnsQueries: dns.queries }));
} finally {
  await dns.close();
}
