// The status of each endpoint of a stack, pure: its spec (from the stack config, the same buildEndpoint the
// component uses), its stack output, what Modal lists for its app and, when asked, whether its key works.
import type { EndpointSpec } from "../../components/endpoint-spec.ts";
import { parseGpu } from "../../components/gpus.ts";
import type { AppRow, ModalEnvironmentState } from "./modal-state.ts";

export interface EndpointOutput {
  readonly baseUrl: string;
  readonly model?: string;
  /** the key, or "[secret]" when the outputs were read without --show-secrets */
  readonly apiKey?: string;
}

export type KeyCheck =
  | { readonly result: "works"; readonly detail: string }
  | { readonly result: "fails"; readonly detail: string }
  | { readonly result: "skipped"; readonly detail: string };

export interface EndpointFacts {
  /** coder, vlm, sera, or "sera session …" for an ephemeral `sera --modal` app */
  readonly name: string;
  readonly spec: EndpointSpec;
  /** false for a configured endpoint the stack does not deploy (sera with enabled: false) */
  readonly enabled: boolean;
  readonly output?: EndpointOutput;
  /** the lists of the spec's Modal environment, or why they could not be read */
  readonly modal: ModalEnvironmentState | { readonly problem: string };
  readonly key?: KeyCheck;
}

export interface EndpointStatus {
  readonly endpoint: string;
  readonly appName: string;
  readonly environment: string;
  /** "deployed", "stopped", "not deployed", or Modal's own state; "unknown" when Modal could not be asked */
  readonly deployed: string;
  readonly inStackOutputs: boolean;
  readonly url?: string;
  readonly model: string;
  readonly gpu: string;
  readonly usdPerGpuHour: number;
  /** started containers: each holds the GPUs and is billed */
  readonly warmContainers?: number;
  /** containers Modal has queued but not started yet */
  readonly pendingContainers?: number;
  readonly usdPerHourNow?: number;
  readonly key?: KeyCheck;
  readonly notes: string[];
}

const isProblem = (m: EndpointFacts["modal"]): m is { problem: string } => "problem" in m;

/** The app Modal lists under the spec's name: the deployed one, else the most recently created one. */
export function appFor(apps: readonly AppRow[], appName: string): AppRow | undefined {
  const named = apps.filter((a) => a.description === appName);
  return named.find((a) => a.state === "deployed") ?? [...named].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)))[0];
}

export function endpointStatus(f: EndpointFacts): EndpointStatus {
  const gpu = parseGpu(f.spec.gpu);
  const usdPerGpuHour = gpu.type.usdPerHour * gpu.count;
  const base = {
    endpoint: f.name,
    appName: f.spec.appName,
    environment: f.spec.environment ?? "(profile default)",
    inStackOutputs: f.output !== undefined,
    ...(f.output ? { url: f.output.baseUrl } : {}),
    model: f.output?.model ?? f.spec.servedModelName,
    gpu: f.spec.gpu,
    usdPerGpuHour,
    ...(f.key ? { key: f.key } : {}),
  };
  const notes: string[] = [];
  if (!f.enabled) notes.push("not enabled in the stack config (sera --modal deploys it on demand)");
  if (isProblem(f.modal)) return { ...base, deployed: "unknown", notes: [...notes, f.modal.problem] };
  const modal = f.modal as ModalEnvironmentState;
  const app = appFor(modal.apps, f.spec.appName);
  if (!app) {
    if (f.output) notes.push("in the stack outputs, but Modal lists no such app: run `npm run up` again");
    return { ...base, deployed: "not deployed", warmContainers: 0, pendingContainers: 0, usdPerHourNow: 0, notes };
  }
  const containers = modal.containers.filter((c) => c.app_id === app.app_id);
  const warm = containers.filter((c) => c.start_time !== "Pending").length;
  const pending = containers.length - warm;
  if (app.state === "deployed" && !f.output && f.enabled) notes.push("deployed on Modal but not in the stack outputs");
  if (app.state === "stopped" && f.output) notes.push(`stopped at ${app.stopped_at}; the stack still lists it: run \`npm run up\` to deploy it again`);
  return { ...base, deployed: app.state, warmContainers: warm, pendingContainers: pending, usdPerHourNow: round2(warm * usdPerGpuHour), notes };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
export const dollars = (n: number): string => `$${n.toFixed(2)}`;

function keyText(k: KeyCheck | undefined): string {
  if (!k) return "not checked (--check-keys)";
  return k.result === "works" ? `works (${k.detail})` : k.result === "fails" ? `FAILS: ${k.detail}` : `not checked: ${k.detail}`;
}

function warmText(s: EndpointStatus): string {
  if (s.warmContainers === undefined) return "?";
  return `${s.warmContainers}${s.pendingContainers ? ` (+${s.pendingContainers} starting)` : ""}`;
}

/** A plain-text table, one row per endpoint, then the notes and the total. */
export function renderStatus(stack: string, rows: readonly EndpointStatus[], extra: readonly string[] = []): string {
  const header = ["endpoint", "deployed", "URL", "GPU", "warm", "cost now", "key"];
  const cells = rows.map((s) => [
    s.endpoint,
    s.deployed,
    s.url ?? "-",
    `${s.gpu} (${dollars(s.usdPerGpuHour)}/h warm)`,
    warmText(s),
    s.usdPerHourNow === undefined ? "?" : `${dollars(s.usdPerHourNow)}/h`,
    keyText(s.key),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  const out = [`stack ${stack}`, line(header), ...cells.map(line)];
  // one line per note, naming every endpoint it applies to (a Modal error is the same for all of them)
  const notes = new Map<string, string[]>();
  for (const s of rows) for (const n of s.notes) notes.set(n, [...(notes.get(n) ?? []), s.endpoint]);
  for (const [n, endpoints] of notes) out.push(`  ${endpoints.join(", ")}: ${n}`);
  out.push(...extra.map((e) => `  ${e}`));
  const known = rows.filter((s) => s.usdPerHourNow !== undefined);
  const total = round2(known.reduce((sum, s) => sum + (s.usdPerHourNow ?? 0), 0));
  out.push(`now: ${dollars(total)}/hour for ${known.reduce((n, s) => n + (s.warmContainers ?? 0), 0)} warm container(s)${known.length < rows.length ? " (some endpoints unknown)" : ""}; $0 once scaled to zero`);
  return out.join("\n");
}
