// Pure: the steps of a `pulumi preview` → a markdown summary fit for a pull-request comment.
// For our deploy commands it reads the endpoint spec on both sides and names the knobs that changed.

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

export function summarizePreview(stack: string, steps: readonly PreviewStep[]): PreviewSummary {
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
    rows.push(`| \`${resourceName(s.urn)}\` | \`${s.type}\` | ${op} | ${changes.map((c) => c.replace(/\|/g, "\\|")).join("<br>") || "—"} |`);
  }
  const order = ["create", "update", "replace", "delete", "same"];
  const totals = order.filter((o) => counts[o]).map((o) => `${counts[o]} to ${o === "same" ? "leave unchanged" : o}`);
  const markdown = [
    `### Pulumi preview — stack \`${stack}\``,
    "",
    rows.length ? "| resource | type | operation | changed inputs |\n|---|---|---|---|\n" + rows.join("\n") : "No changes.",
    "",
    `**${totals.join(", ") || "no resources"}**`,
    "",
  ].join("\n");
  return { markdown, counts };
}
