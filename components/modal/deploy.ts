#!/usr/bin/env node
// The step `command.local.Command` runs: `node components/modal/deploy.ts deploy|stop`.
// Reads the endpoint spec from ENDPOINT_SPEC and the API key from stdin (a secret input, never argv;
// VLLM_API_KEY in the environment also works for manual runs),
// reports progress on stderr and prints exactly one JSON line on stdout, which the component parses.
import type { EndpointSpec } from "../endpoint-spec.ts";
import { deployEndpoint, stopEndpoint } from "./runner.ts";

const progress = (line: string) => process.stderr.write(`[modal] ${line}\n`);

async function main(action: string | undefined): Promise<number> {
  const raw = process.env.ENDPOINT_SPEC;
  if (!raw) {
    process.stderr.write("ENDPOINT_SPEC is not set\n");
    return 2;
  }
  const spec = JSON.parse(raw) as EndpointSpec;
  if (action === "deploy") {
    const apiKey = spec.secrets.apiKey ? process.env.VLLM_API_KEY || (await readStdin()).trim() : undefined;
    const result = await deployEndpoint(spec, { apiKey: apiKey || undefined, onProgress: progress });
    process.stdout.write(JSON.stringify(result) + "\n");
    return 0;
  }
  if (action === "stop") {
    const result = await stopEndpoint(spec, { onProgress: progress });
    process.stdout.write(JSON.stringify({ appName: spec.appName, stopped: true, ...result }) + "\n");
    return 0;
  }
  process.stderr.write("usage: deploy.ts deploy|stop (spec in ENDPOINT_SPEC)\n");
  return 2;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  },
);
