// The two things sera reads from the Pulumi project: the `sera` stack output (URL, model, key of the
// persistent endpoint) and the stack's sera endpoint config (what --modal / deploy / stop deploy from).
import { execa } from "execa";
import { z } from "zod";
import type { EndpointConfig } from "../../components/endpoint-args.ts";
import { loadStackEndpointConfig } from "../../components/stack-config.ts";
import type { PulumiLocator } from "../install-qwen-code/stack-outputs.ts";
import type { StackSeraOutput } from "./settings.ts";

const seraOutputSchema = z.object({
  baseUrl: z.string().min(1),
  model: z.string().min(1).optional(),
  // `pulumi stack output --json` without --show-secrets prints "[secret]"
  apiKey: z.string().min(1).refine((v) => v !== "[secret]", "apiKey is \"[secret]\" (outputs read without --show-secrets)").optional(),
});

/** `pulumi stack output --json` text → the sera output; undefined + problem when it is absent or invalid. */
export function parseSeraOutput(json: string): { output?: StackSeraOutput; problem?: string } {
  let all: unknown;
  try {
    all = JSON.parse(json);
  } catch (e) {
    return { problem: `stack outputs are not JSON: ${(e as Error).message}` };
  }
  const sera = (all as Record<string, unknown> | null)?.sera;
  if (sera === undefined || sera === null) return { problem: "no sera output (the stack's sera endpoint is not enabled)" };
  const r = seraOutputSchema.safeParse(sera);
  if (!r.success) return { problem: `invalid sera output: ${r.error.issues.map((i) => `${["sera", ...i.path].join(".")}: ${i.message}`).join("; ")}` };
  return { output: r.data };
}

export async function readSeraOutput(stack: string, projectDir: string, env: Readonly<Record<string, string | undefined>>, locate: PulumiLocator): Promise<{ output?: StackSeraOutput; problem?: string }> {
  try {
    const pulumi = await locate();
    const r = await execa(pulumi.bin, ["stack", "output", "--json", "--show-secrets", "--stack", stack], {
      cwd: projectDir, env: { ...env, ...pulumi.env }, extendEnv: false, reject: false, stdin: "ignore", timeout: 120_000,
    });
    if (r.exitCode !== 0) return { problem: `pulumi stack output failed: ${String(r.stderr).trim().split("\n")[0] || `exit code ${r.exitCode}`}` };
    return parseSeraOutput(String(r.stdout));
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

/** The sera endpoint config of Pulumi.<stack>.yaml (even when `enabled: false`: --modal deploys it anyway). */
export function readSeraConfig(stack: string, projectDir: string): { config?: EndpointConfig; problem?: string } {
  try {
    const c = loadStackEndpointConfig(stack, projectDir);
    const config = c.seraConfigured ?? c.sera;
    return config ? { config } : { problem: "no sera entry" };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}
