// What sera reads from the Pulumi project: the stack outputs a session uses (`sera` and `coder`: URL, model, key;
// `vlmMcpServer`: the vlm-analyzer registration) and the stack's endpoint configs (Pulumi.<stack>.yaml: what
// --modal / deploy / stop deploy from, and each endpoint's context length and proxy-auth setting).
import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { EndpointConfig } from "../../components/endpoint-args.ts";
import { loadStackEndpointConfig } from "../../components/stack-config.ts";
import type { PulumiLocator } from "../install-qwen-code/stack-outputs.ts";
import type { McpServerRegistration, StackSeraOutput } from "./settings.ts";

// `pulumi stack output --json` without --show-secrets prints "[secret]"
const endpointOutputSchema = z.object({
  baseUrl: z.string().min(1),
  model: z.string().min(1).optional(),
  apiKey: z.string().min(1).refine((v) => v !== "[secret]", "apiKey is \"[secret]\" (outputs read without --show-secrets)").optional(),
});

const mcpServerSchema = z.object({
  command: z.string().min(1),
  args: z.array(z.string()),
  env: z.record(z.string(), z.string().refine((v) => v !== "[secret]", "is \"[secret]\" (outputs read without --show-secrets)")).default({}),
});

/** The outputs a session can use, each with the reason it cannot when absent or invalid. */
export interface SessionOutputs {
  readonly sera?: StackSeraOutput;
  readonly seraProblem?: string;
  readonly coder?: StackSeraOutput;
  readonly coderProblem?: string;
  readonly vlmMcpServer?: McpServerRegistration;
  readonly vlmMcpServerProblem?: string;
}

function problemOf(name: string, issues: readonly z.core.$ZodIssue[]): string {
  return `invalid ${name} output: ${issues.map((i) => `${[name, ...i.path].join(".")}: ${i.message}`).join("; ")}`;
}

/** `pulumi stack output --json` text → the session's outputs. Pure. */
export function parseSessionOutputs(json: string): SessionOutputs {
  let all: unknown;
  try {
    all = JSON.parse(json);
  } catch (e) {
    const problem = `stack outputs are not JSON: ${(e as Error).message}`;
    return { seraProblem: problem, coderProblem: problem, vlmMcpServerProblem: problem };
  }
  const o = (all ?? {}) as Record<string, unknown>;
  const one = <T>(name: string, schema: z.ZodType<T>, absent: string): { value?: T; problem?: string } => {
    if (o[name] === undefined || o[name] === null) return { problem: absent };
    const r = schema.safeParse(o[name]);
    return r.success ? { value: r.data } : { problem: problemOf(name, r.error.issues) };
  };
  const sera = one("sera", endpointOutputSchema, "no sera output (the stack's sera endpoint is not enabled)");
  const coder = one("coder", endpointOutputSchema, "the stack has no coder output yet");
  const mcp = one("vlmMcpServer", mcpServerSchema, "no vlmMcpServer output");
  return {
    ...(sera.value ? { sera: sera.value } : { seraProblem: sera.problem }),
    ...(coder.value ? { coder: coder.value } : { coderProblem: coder.problem }),
    ...(mcp.value ? { vlmMcpServer: mcp.value } : { vlmMcpServerProblem: mcp.problem }),
  };
}

/** The sera output alone (kept for callers that need only it). */
export function parseSeraOutput(json: string): { output?: StackSeraOutput; problem?: string } {
  const o = parseSessionOutputs(json);
  return o.sera ? { output: o.sera } : { problem: o.seraProblem };
}

type Env = Readonly<Record<string, string | undefined>>;

/** `pulumi stack output --json --show-secrets` of the stack; a failure becomes the problem of every output. */
export async function readSessionOutputs(stack: string, projectDir: string, env: Env, locate: PulumiLocator): Promise<SessionOutputs> {
  const failed = (problem: string): SessionOutputs => ({ seraProblem: problem, coderProblem: problem, vlmMcpServerProblem: problem });
  try {
    const pulumi = await locate();
    const { execa } = await import("execa"); // only when the outputs are read: not loaded for a session on --endpoint
    const r = await execa(pulumi.bin, ["stack", "output", "--json", "--show-secrets", "--stack", stack], {
      cwd: projectDir, env: { ...env, ...pulumi.env }, extendEnv: false, reject: false, stdin: "ignore", timeout: 120_000,
    });
    if (r.exitCode !== 0) return failed(`pulumi stack output failed: ${String(r.stderr).trim().split("\n")[0] || `exit code ${r.exitCode}`}`);
    return parseSessionOutputs(String(r.stdout));
  } catch (e) {
    return failed((e as Error).message);
  }
}

/** The same outputs from a JSON file (--outputs FILE). */
export async function readOutputsFile(file: string): Promise<SessionOutputs> {
  try {
    return parseSessionOutputs(await readFile(file, "utf8"));
  } catch (e) {
    const problem = `cannot read the outputs file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    return { seraProblem: problem, coderProblem: problem, vlmMcpServerProblem: problem };
  }
}

export async function readSeraOutput(stack: string, projectDir: string, env: Env, locate: PulumiLocator): Promise<{ output?: StackSeraOutput; problem?: string }> {
  const o = await readSessionOutputs(stack, projectDir, env, locate);
  return o.sera ? { output: o.sera } : { problem: o.seraProblem };
}

/** The stack's sera and coder endpoint configs, each with the reason it is missing when it is. */
export interface EndpointConfigs {
  readonly sera?: EndpointConfig;
  readonly seraProblem?: string;
  readonly coder?: EndpointConfig;
  readonly coderProblem?: string;
}

/** The stack's sera and coder endpoint configs (sera even when `enabled: false`: --modal deploys it anyway). */
export function readEndpointConfigs(stack: string, projectDir: string): EndpointConfigs {
  try {
    const c = loadStackEndpointConfig(stack, projectDir);
    const sera = c.seraConfigured ?? c.sera;
    return { ...(sera ? { sera } : { seraProblem: "no sera entry" }), coder: c.coder };
  } catch (e) {
    const problem = (e as Error).message;
    return { seraProblem: problem, coderProblem: problem };
  }
}

/** The sera endpoint config of Pulumi.<stack>.yaml (even when `enabled: false`: --modal deploys it anyway). */
export function readSeraConfig(stack: string, projectDir: string): { config?: EndpointConfig; problem?: string } {
  const c = readEndpointConfigs(stack, projectDir);
  return c.sera ? { config: c.sera } : { problem: c.seraProblem };
}
