// Pure: the steps and diagnostics of a `pulumi preview` → a markdown summary fit for a pull-request comment,
// and the diagnostics as text. For our deploy commands it reads the endpoint spec on both sides and names
// the knobs that changed. Diagnostics come from the engine's events: the Automation API prints only the
// CLI's stdout, where `pulumi preview --diff` does not put warnings and errors.

import type { EngineEvent } from "@pulumi/pulumi/automation/index.js";

export interface PreviewStep {
  op: string;
  urn: string;
  type: string;
  diffs?: string[];
  detailedDiff?: Record<string, { diffKind: string; inputDiff: boolean }>;
  old?: { inputs?: Record<string, any> };
  new?: { inputs?: Record<string, any> };
}

/** The step a preview engine event announces (Automation API `resourcePreEvent`), or undefined for other events. */
export function stepFromEvent(e: EngineEvent): PreviewStep | undefined {
  const m = e.resourcePreEvent?.metadata;
  return m && { op: m.op, urn: m.urn, type: m.type, diffs: m.diffs, detailedDiff: m.detailedDiff as PreviewStep["detailedDiff"], old: m.old, new: m.new };
}

export interface PreviewDiagnostic {
  severity: "warning" | "error";
  message: string;
  /** the resource the program or the engine attributed it to; none for the stack as a whole */
  urn?: string;
}

/** A warning or error the engine reports (`diagnosticEvent`); undefined for debug/info output and other events. */
export function diagnosticFromEvent(e: EngineEvent): PreviewDiagnostic | undefined {
  const d = e.diagnosticEvent;
  if (!d || (d.severity !== "warning" && d.severity !== "error")) return undefined;
  return { severity: d.severity, message: d.message.trim(), ...(d.urn ? { urn: d.urn } : {}) };
}

/** The resource's own type from its URN (the last of the parent$child type chain). */
export function resourceType(urn: string): string {
  return (urn.split("::")[2] ?? "").split("$").pop() ?? "";
}

/** "type (name)" as pulumi labels a resource; the stack for a diagnostic without one. */
export function resourceLabel(urn: string | undefined): string {
  return urn ? `${resourceType(urn)} (${resourceName(urn)})` : "the stack";
}

/** Distinct diagnostics grouped by resource, in first-seen order. */
export function groupDiagnostics(diags: readonly PreviewDiagnostic[]): Map<string, PreviewDiagnostic[]> {
  const groups = new Map<string, PreviewDiagnostic[]>();
  const seen = new Set<string>();
  for (const d of diags) {
    const key = JSON.stringify([d.urn, d.severity, d.message]);
    if (seen.has(key)) continue; // the engine may repeat one (e.g. once per RPC)
    seen.add(key);
    const label = resourceLabel(d.urn);
    groups.set(label, [...(groups.get(label) ?? []), d]);
  }
  return groups;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function diagnosticCounts(groups: Map<string, PreviewDiagnostic[]>): string {
  const all = [...groups.values()].flat();
  const errors = all.filter((d) => d.severity === "error").length;
  const warnings = all.length - errors;
  return [errors ? plural(errors, "error") : "", warnings ? plural(warnings, "warning") : ""].filter(Boolean).join(", ");
}

/** pulumi's "Diagnostics:" block: per resource, each warning and error; "" when there are none. */
export function formatDiagnostics(diags: readonly PreviewDiagnostic[]): string {
  const groups = groupDiagnostics(diags);
  if (!groups.size) return "";
  const lines = [`Diagnostics (${diagnosticCounts(groups)}):`];
  for (const [label, ds] of groups) {
    lines.push(`  ${label}:`);
    for (const d of ds) lines.push(`    ${d.severity}: ${d.message.replace(/\n/g, "\n      ")}`);
    lines.push("");
  }
  return lines.join("\n");
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n\s*/g, "<br>");

const OP_LABEL: Record<string, string> = { create: "create", update: "update", delete: "delete", replace: "replace", "create-replacement": "replace", "delete-replaced": "replace" };

export function resourceName(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

/** Leaf-level differences between two JSON values, as "path: old → new". */
export function jsonDiff(a: unknown, b: unknown, path = ""): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObj = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
    return keys.flatMap((k) => jsonDiff((a as any)[k], (b as any)[k], path ? `${path}.${k}` : k));
  }
  const show = (v: unknown) => (v === undefined ? "(unset)" : JSON.stringify(v));
  return [`${path}: ${show(a)} → ${show(b)}`];
}

function specOf(step: { inputs?: Record<string, any> } | undefined): unknown {
  const raw = step?.inputs?.environment?.ENDPOINT_SPEC;
  if (typeof raw !== "string") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export function changedInputs(step: PreviewStep): string[] {
  const oldSpec = specOf(step.old);
  const newSpec = specOf(step.new);
  const keys = step.detailedDiff ? Object.keys(step.detailedDiff) : (step.diffs ?? []);
  const out: string[] = [];
  for (const k of keys) {
    if ((k === "environment" || k.startsWith("environment.ENDPOINT_SPEC")) && oldSpec && newSpec) out.push(...jsonDiff(oldSpec, newSpec).map((d) => `spec ${d}`));
    else out.push(k);
  }
  return [...new Set(out)];
}

export interface PreviewSummary {
  markdown: string;
  counts: Record<string, number>;
}

export interface PreviewOutcome {
  diagnostics?: readonly PreviewDiagnostic[];
  /** the preview did not complete (the engine or the program failed) */
  failed?: boolean;
}

export function summarizePreview(stack: string, steps: readonly PreviewStep[], outcome: PreviewOutcome = {}): PreviewSummary {
  const counts: Record<string, number> = {};
  const rows: string[] = [];
  const seen = new Set<string>();
  for (const s of steps) {
    if (s.type.startsWith("pulumi:providers:")) continue; // default providers: not counted by pulumi either
    const op = OP_LABEL[s.op] ?? (s.op === "same" ? "same" : s.op);
    if (op === "replace" && seen.has(s.urn)) continue; // one row per replaced resource
    seen.add(s.urn);
    counts[op] = (counts[op] ?? 0) + 1;
    if (op === "same" || s.type === "pulumi:pulumi:Stack") continue;
    const changes = op === "update" || op === "replace" ? changedInputs(s) : [];
    rows.push(`| \`${resourceName(s.urn)}\` | \`${s.type}\` | ${op} | ${changes.map(cell).join("<br>") || "—"} |`);
  }
  const order = ["create", "update", "replace", "delete", "same"];
  const totals = order.filter((o) => counts[o]).map((o) => `${counts[o]} to ${o === "same" ? "leave unchanged" : o}`);
  const groups = groupDiagnostics(outcome.diagnostics ?? []);
  const where = (urn?: string) => (urn ? `\`${resourceName(urn)}\` (\`${resourceType(urn)}\`)` : "the stack");
  const diagRows = [...groups.values()].flat().map((d) => `| ${where(d.urn)} | ${d.severity} | ${cell(d.message)} |`);
  const markdown = [
    `### Pulumi preview — stack \`${stack}\``,
    "",
    ...(outcome.failed ? ["**The preview failed** (errors below): the changes listed are those planned before it stopped.", ""] : []),
    rows.length ? "| resource | type | operation | changed inputs |\n|---|---|---|---|\n" + rows.join("\n") : "No changes.",
    "",
    ...(diagRows.length ? [`#### Diagnostics (${diagnosticCounts(groups)})`, "", "| resource | severity | message |\n|---|---|---|\n" + diagRows.join("\n"), ""] : []),
    `**${totals.join(", ") || "no resources"}**`,
    "",
  ].join("\n");
  return { markdown, counts };
}
