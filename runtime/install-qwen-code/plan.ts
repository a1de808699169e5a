// The settings merge, pure: apply the desired entries over the user's settings and record what was there
// before, so a re-run changes nothing and --uninstall puts back exactly what the installer replaced.
import { z } from "zod";
import type { DesiredEntry } from "./desired.ts";
import { ABSENT, deepEqual, getAt, isObject, removeAt, samePath, setAt } from "./json-path.ts";
import type { JsonObject, JsonPath } from "./json-path.ts";

const SegmentSchema = z.union([z.string(), z.object({ id: z.string() })]);
const PathSchema = z.array(SegmentSchema);
const RecordSchema = z.object({
  path: PathSchema,
  before: z.object({ present: z.boolean(), value: z.unknown().optional() }),
  after: z.unknown(),
});

/** What one install added, kept beside settings.json (see files.ts) so --uninstall removes only that. */
export const InstallRecordSchema = z.object({
  recordVersion: z.literal(1),
  entries: z.array(RecordSchema),
  /** Objects/arrays that did not exist before the first install; removed on uninstall when left empty. */
  createdContainers: z.array(PathSchema),
  wrapper: z.object({ path: z.string(), sha256: z.string() }).optional(),
  /** The npm spec the installer installed globally, when it did. */
  installedPackage: z.string().optional(),
});
export type InstallRecord = z.infer<typeof InstallRecordSchema>;
export type ManagedRecord = z.infer<typeof RecordSchema>;

const snapshot = (v: unknown): ManagedRecord["before"] => (v === ABSENT ? { present: false } : { present: true, value: v });

const prefixes = (path: JsonPath): JsonPath[] => path.slice(0, -1).map((_, i) => path.slice(0, i + 1));

export interface RevertResult {
  readonly settings: JsonObject;
  /** Managed values the user changed since; they are the user's now and were left alone. */
  readonly leftAlone: JsonPath[];
}

/** Puts back what `record` replaced, where the value is still the one the installer wrote. */
function revert(settings: JsonObject, record: ManagedRecord): RevertResult {
  if (!deepEqual(getAt(settings, record.path), record.after)) return { settings, leftAlone: [record.path] };
  const next = record.before.present ? setAt(settings, record.path, record.before.value) : removeAt(settings, record.path);
  return { settings: next as JsonObject, leftAlone: [] };
}

const isEmptyContainer = (v: unknown): boolean => (Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0);

function pruneCreated(settings: JsonObject, created: readonly JsonPath[]): JsonObject {
  let next = settings;
  for (const path of [...created].sort((a, b) => b.length - a.length)) {
    if (isEmptyContainer(getAt(next, path))) next = removeAt(next, path) as JsonObject;
  }
  return next;
}

export interface InstallPlan {
  readonly settings: JsonObject;
  readonly record: InstallRecord;
  /** True when the settings differ from the current ones (a write and a backup are due). */
  readonly changed: boolean;
}

export function planInstall(current: JsonObject, previous: InstallRecord | undefined, desired: readonly DesiredEntry[]): InstallPlan {
  let settings = current;
  const created: Array<InstallRecord["createdContainers"][number]> = [...(previous?.createdContainers ?? [])];
  // Entries of an earlier install that are no longer wanted (e.g. the stack now serves another coder model).
  for (const old of previous?.entries ?? []) {
    if (!desired.some((d) => samePath(d.path, old.path))) settings = revert(settings, old).settings;
  }
  const entries: ManagedRecord[] = [];
  for (const { path, value } of desired) {
    for (const prefix of prefixes(path)) {
      if (getAt(settings, prefix) === ABSENT && !created.some((c) => samePath(c, prefix))) created.push([...prefix]);
    }
    const earlier = previous?.entries.find((e) => samePath(e.path, path));
    // The "before" of the first install is kept across re-runs: it is what --uninstall must put back.
    const before = earlier && deepEqual(getAt(settings, path), earlier.after) ? earlier.before : snapshot(getAt(settings, path));
    entries.push({ path: [...path], before, after: value });
    settings = setAt(settings, path, value) as JsonObject;
  }
  const record: InstallRecord = { ...previous, recordVersion: 1, entries, createdContainers: created };
  return { settings, record, changed: !deepEqual(settings, current) };
}

export interface UninstallPlan extends RevertResult {
  readonly changed: boolean;
}

export function planUninstall(current: JsonObject, record: InstallRecord): UninstallPlan {
  let settings = current;
  const leftAlone: JsonPath[] = [];
  for (const entry of [...record.entries].reverse()) {
    const r = revert(settings, entry);
    settings = r.settings;
    leftAlone.push(...r.leftAlone);
  }
  settings = pruneCreated(settings, record.createdContainers);
  return { settings, leftAlone, changed: !deepEqual(settings, current) };
}
