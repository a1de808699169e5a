// `vlm-mcp --help` prints what the server reads and exits, instead of starting a server that waits on stdin.
import { execa } from "execa";
import { EnvSchema } from "../../mcp/config.ts";
import { USAGE, wantsHelp } from "../../mcp/usage.ts";

it("names every env variable the server reads", () => {
  for (const key of Object.keys(EnvSchema.shape)) expect(USAGE).toContain(key);
});

it("only --help / -h ask for help", () => {
  expect(wantsHelp(["--help"])).toBe(true);
  expect(wantsHelp(["-h"])).toBe(true);
  expect(wantsHelp([])).toBe(false);
  expect(wantsHelp(["--helpful"])).toBe(false);
});

it("the real entry prints the usage on stdout and exits 0 without starting the server", async () => {
  const r = await execa("node", ["mcp/bin.js", "--help"], { env: { VLM_ENDPOINT: "" }, timeout: 20_000, reject: false, input: "" });
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toBe(USAGE.trimEnd());
  expect(r.stderr).not.toContain("ready:");
});
