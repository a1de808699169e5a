// `npm run status`: per endpoint of a stack, whether it is deployed, its URL and GPU, the containers warm now
// and what they cost per hour, and (with --check-keys, which wakes the GPU) whether the stack's key works.
// The specs come from Pulumi.<stack>.yaml through the same parse + buildEndpoint as the program; the URLs and
// keys from the stack outputs (the engine); the rest from Modal's control plane, which wakes nothing.
import { parseArgs } from "node:util";
import { z } from "zod";
import { buildEndpoint, defaultAppName, type EndpointSpec } from "../../components/endpoint-spec.ts";
import { loadStackEndpointConfig, PROJECT, type EndpointRole } from "../../components/stack-config.ts";
import type { PulumiLocator } from "../install-qwen-code/stack-outputs.ts";
import { execaRunner } from "../install-qwen-code/process.ts";
import { checkKey } from "./key-check.ts";
import { readModalState, type ModalEnvironmentState, type ModalRunner } from "./modal-state.ts";
import { endpointStatus, renderStatus, type EndpointFacts, type EndpointOutput } from "./report.ts";

export const USAGE = `usage: npm run status -- [--stack NAME] [--check-keys] [--timeout SECONDS] [--json]
  --stack NAME      the stack (default dev)
  --check-keys      also GET /v1/models with each endpoint's key: this WAKES a scaled-to-zero GPU (billed until it
                    scales down again) and waits through its cold start (up to its startupTimeout, or --timeout)
  --json            print the statuses as JSON instead of a table`;

export interface StatusDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly projectDir: string;
  readonly locatePulumi: PulumiLocator;
  readonly runModal: ModalRunner;
  readonly fetch?: typeof fetch;
  readonly out: (text: string) => void;
  /** progress and warnings */
  readonly err: (line: string) => void;
  readonly keyCheckIntervalMs?: number;
}

const OutputSchema = z.object({ baseUrl: z.string().min(1), model: z.string().optional(), apiKey: z.string().optional() });

/** `pulumi stack output --json` → the endpoints' outputs; a stack never deployed has none. */
async function readOutputs(stack: string, showSecrets: boolean, deps: StatusDeps): Promise<{ outputs: Partial<Record<EndpointRole, EndpointOutput>>; problem?: string }> {
  const pulumi = await deps.locatePulumi();
  const args = ["stack", "output", "--json", ...(showSecrets ? ["--show-secrets"] : []), "--stack", stack];
  const r = await execaRunner(pulumi.bin, args, { cwd: deps.projectDir, env: { ...deps.env, ...pulumi.env } });
  if (r.exitCode !== 0) {
    const line = r.stderr.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? `exit code ${r.exitCode}`;
    return { outputs: {}, problem: `no stack outputs (pulumi: ${line})` };
  }
  let all: Record<string, unknown>;
  try {
    all = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch (e) {
    return { outputs: {}, problem: `pulumi stack output printed no JSON: ${(e as Error).message}` };
  }
  const outputs: Partial<Record<EndpointRole, EndpointOutput>> = {};
  const problems: string[] = [];
  for (const role of ["coder", "vlm", "sera"] as const) {
    if (all[role] === undefined || all[role] === null) continue;
    const p = OutputSchema.safeParse(all[role]);
    if (p.success) outputs[role] = p.data;
    else problems.push(`the ${role} output is not {baseUrl, model, apiKey}: ${p.error.issues[0]?.message}`);
  }
  return problems.length ? { outputs, problem: problems.join("; ") } : { outputs };
}

interface Planned {
  readonly name: string;
  readonly role: EndpointRole;
  readonly spec: EndpointSpec;
  readonly enabled: boolean;
}

export interface StatusOptions {
  readonly stack: string;
  readonly checkKeys: boolean;
  readonly json: boolean;
  readonly help: boolean;
  readonly timeoutMs?: number;
}

/** Throws naming the bad option (before anything is started). */
export function parseStatusOptions(argv: readonly string[]): StatusOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: { stack: { type: "string", default: "dev" }, "check-keys": { type: "boolean", default: false }, timeout: { type: "string" }, json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
    strict: true,
  });
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout) * 1000;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new Error(`--timeout: "${values.timeout}" is not a positive number of seconds`);
  return { stack: values.stack!, checkKeys: values["check-keys"]!, json: values.json!, help: values.help!, ...(timeoutMs ? { timeoutMs } : {}) };
}

export async function status(argv: readonly string[], deps: StatusDeps): Promise<number> {
  const options = parseStatusOptions(argv);
  if (options.help) {
    deps.out(USAGE);
    return 0;
  }
  const { stack, timeoutMs } = options;

  const config = loadStackEndpointConfig(stack, deps.projectDir);
  const ctx = { project: PROJECT, stack, hasApiKey: true };
  const planned: Planned[] = [
    { name: "coder", role: "coder", spec: buildEndpoint("coder", config.coder, ctx).spec, enabled: true },
    { name: "vlm", role: "vlm", spec: buildEndpoint("vlm", config.vlm, ctx).spec, enabled: true },
  ];
  const sera = config.seraConfigured;
  if (sera) planned.push({ name: "sera", role: "sera", spec: buildEndpoint("sera", sera, ctx).spec, enabled: config.sera !== undefined });

  const { outputs, problem: outputsProblem } = await readOutputs(stack, options.checkKeys, deps);

  const byEnvironment = new Map<string, Promise<ModalEnvironmentState | { problem: string }>>();
  const modalFor = (environment: string | undefined) => {
    const k = environment ?? "";
    if (!byEnvironment.has(k)) byEnvironment.set(k, readModalState(environment, deps.runModal).catch((e: Error) => ({ problem: e.message })));
    return byEnvironment.get(k)!;
  };

  // Ephemeral `sera --modal` apps of this stack cost the same GPU while they run: list the live ones too.
  const facts: EndpointFacts[] = [];
  for (const p of planned) facts.push({ name: p.name, spec: p.spec, enabled: p.enabled, ...(outputs[p.role] ? { output: outputs[p.role] } : {}), modal: await modalFor(p.spec.environment) });
  const seraPlanned = planned.find((p) => p.role === "sera");
  if (seraPlanned) {
    const modal = await modalFor(seraPlanned.spec.environment);
    const prefix = `${defaultAppName(PROJECT, stack, "sera")}-session-`;
    if (!("problem" in modal)) {
      for (const app of modal.apps.filter((a) => a.description.startsWith(prefix) && a.state === "deployed")) {
        facts.push({ name: `sera session ${app.description.slice(prefix.length)}`, spec: { ...seraPlanned.spec, appName: app.description }, enabled: true, modal });
      }
    }
  }

  if (options.checkKeys) {
    for (const [i, f] of facts.entries()) {
      if (!f.output) continue;
      const key = await checkKey(f.spec, f.output, { env: deps.env, ...(deps.fetch ? { fetch: deps.fetch } : {}), onProgress: deps.err, ...(timeoutMs ? { timeoutMs } : {}), ...(deps.keyCheckIntervalMs ? { intervalMs: deps.keyCheckIntervalMs } : {}) });
      facts[i] = { ...f, key };
    }
  }

  const rows = facts.map(endpointStatus);
  if (options.json) deps.out(JSON.stringify({ stack, ...(outputsProblem ? { outputsProblem } : {}), endpoints: rows }, null, 2));
  else deps.out(renderStatus(stack, rows, outputsProblem ? [outputsProblem] : []));
  return rows.some((r) => r.key?.result === "fails") ? 1 : 0;
}
