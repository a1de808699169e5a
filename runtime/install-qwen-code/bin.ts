#!/usr/bin/env node
// Entry of `npx install-qwen-code`: wires the real dependencies and turns errors into a message and exit code 1.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "./main.ts";
import { execaRunner } from "./process.ts";
import { defaultPulumiLocator } from "./stack-outputs.ts";

const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const env = { ...process.env };

try {
  await main(process.argv.slice(2), {
    env,
    projectDir,
    run: execaRunner,
    locatePulumi: defaultPulumiLocator(projectDir, env),
    now: () => new Date(),
    log: (line) => console.log(line),
  });
} catch (error) {
  console.error(`install-qwen-code: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
