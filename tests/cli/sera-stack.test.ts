// Reading the stack outputs (sera, coder, vlmMcpServer) through the Pulumi CLI (a recording stand-in script in place of pulumi).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSeraOutput, readSessionOutputs } from "../../runtime/sera/stack.ts";

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "fake-pulumi-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function fakePulumi(stdout: string, stderr = "", code = 0): string {
  const bin = join(dir, "pulumi");
  writeFileSync(join(dir, "out.json"), stdout);
  writeFileSync(join(dir, "err.txt"), stderr);
  writeFileSync(
    bin,
    `#!/bin/sh\nprintf '%s\\n' "$*" > "${dir}/argv"\nprintf '%s' "$PULUMI_CONFIG_PASSPHRASE_FILE" > "${dir}/env"\ncat "${dir}/out.json"\ncat "${dir}/err.txt" >&2\nexit ${code}\n`,
  );
  chmodSync(bin, 0o755);
  return bin;
}

it("runs `pulumi stack output --json --show-secrets --stack S` in the project with the engine's env", async () => {
  const bin = fakePulumi(JSON.stringify({ coder: { baseUrl: "https://c/v1" }, sera: { baseUrl: "https://s--sera.modal.run/v1", model: "allenai/SERA-32B", apiKey: "k" } }));
  const r = await readSeraOutput("prod", dir, { PATH: "/usr/bin:/bin" }, async () => ({ bin, env: { PULUMI_CONFIG_PASSPHRASE_FILE: "/p/file" } }));
  expect(r).toEqual({ output: { baseUrl: "https://s--sera.modal.run/v1", model: "allenai/SERA-32B", apiKey: "k" } });
  expect(readFileSync(join(dir, "argv"), "utf8").trim()).toBe("stack output --json --show-secrets --stack prod");
  expect(readFileSync(join(dir, "env"), "utf8")).toBe("/p/file");
});

it("a stack without the output, a failing pulumi or a missing pulumi is a problem to report, not a crash", async () => {
  const none = await readSeraOutput("dev", dir, {}, async () => ({ bin: fakePulumi(JSON.stringify({ coder: {} })) }));
  expect(none.problem).toMatch(/no sera output/);
  const failing = await readSeraOutput("dev", dir, {}, async () => ({ bin: fakePulumi("", "error: no stack named 'dev' found", 255) }));
  expect(failing.problem).toBe("pulumi stack output failed: error: no stack named 'dev' found");
  const missing = await readSeraOutput("dev", dir, {}, async () => { throw new Error("the Pulumi CLI was not found: run `npm run engine`"); });
  expect(missing.problem).toMatch(/Pulumi CLI was not found/);
});

it("one `pulumi stack output` call gives a session the coder and the vlm-analyzer registration as well", async () => {
  const coder = { baseUrl: "https://ws--c.modal.run/v1", model: "unsloth/Qwen3-Coder-Next-FP8-Dynamic", apiKey: "ck" };
  const vlmMcpServer = { command: "/n/node", args: ["/p/mcp/main.ts"], env: { VLM_ENDPOINT: "https://ws--v.modal.run/v1", VLM_API_KEY: "vk" } };
  const bin = fakePulumi(JSON.stringify({ coder, vlm: { baseUrl: "https://ws--v.modal.run/v1", model: "m" }, vlmMcpServer }));
  expect(await readSessionOutputs("dev", dir, {}, async () => ({ bin }))).toEqual({ coder, vlmMcpServer, seraProblem: "no sera output (the stack's sera endpoint is not enabled)" });
  const failing = await readSessionOutputs("dev", dir, {}, async () => ({ bin: fakePulumi("", "error: no stack named 'dev' found", 255) }));
  expect(failing).toEqual({
    seraProblem: "pulumi stack output failed: error: no stack named 'dev' found",
    coderProblem: "pulumi stack output failed: error: no stack named 'dev' found",
    vlmMcpServerProblem: "pulumi stack output failed: error: no stack named 'dev' found",
  });
});
