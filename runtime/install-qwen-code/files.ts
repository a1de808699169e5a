// File I/O of the installer: settings.json, the install record, backups, the wrapper. Writes are atomic
// (temporary file + rename in the same directory) and get their mode before any content lands.
import { chmod, copyFile, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { isObject } from "./json-path.ts";
import type { JsonObject } from "./json-path.ts";
import { InstallRecordSchema } from "./plan.ts";
import type { InstallRecord } from "./plan.ts";
import { SETTINGS_VERSION } from "./desired.ts";
import { migrateLikeQwen } from "./migrate.ts";
import type { MigrationResult } from "./migrate.ts";
import { QWEN_MIN_VERSION } from "./qwen-install.ts";

export const SETTINGS_MODE = 0o600;

export interface InstallPaths {
  readonly settings: string;
  /** What the installer added, for re-runs and --uninstall. */
  readonly record: string;
  readonly binDir: string;
}

export function installPaths(home: string): InstallPaths {
  return {
    settings: join(home, ".qwen", "settings.json"),
    record: join(home, ".qwen", "coding-agent-server.install.json"),
    binDir: join(home, ".local", "bin"),
  };
}

export class SettingsFileError extends Error {
  override name = "SettingsFileError";
}

const readIfExists = async (path: string): Promise<string | undefined> => {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
};

export interface ExistingSettings {
  readonly exists: boolean;
  /** The settings in qwen-code 0.24.4's format: the file as it is, or as qwen would migrate it. */
  readonly value: JsonObject;
  /** The file as parsed, before any migration (what the diff starts from). */
  readonly original: JsonObject;
  /** What migrating the file did; `changed: false` for a file already in the current format. */
  readonly migration: MigrationResult;
}

const NOT_MIGRATED: MigrationResult = { settings: {}, changed: false, steps: [], warnings: [] };

/** Parses the user's settings and migrates them the way qwen does; any problem is an error that leaves the file as it is. */
export async function readSettings(path: string): Promise<ExistingSettings> {
  const text = await readIfExists(path);
  if (text === undefined || text.trim() === "") return { exists: text !== undefined, value: {}, original: {}, migration: NOT_MIGRATED };
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, "")); // qwen strips a UTF-8 BOM too
  } catch (error) {
    throw new SettingsFileError(
      `${path} is not valid JSON (${(error as Error).message}); it was left untouched. ` +
        "Fix it (comments are not supported by this installer) or move it away, then run again.",
    );
  }
  if (!isObject(value)) throw new SettingsFileError(`${path} does not hold a JSON object; it was left untouched`);
  const migration = migrateLikeQwen(value);
  const version = migration.settings["$version"];
  if (version !== SETTINGS_VERSION) {
    // A newer qwen wrote it: its layout is unknown here, and writing "$version": 4 over it would be wrong.
    throw new SettingsFileError(
      `${path} has settings format "$version": ${JSON.stringify(version)}, newer than the ${SETTINGS_VERSION} of qwen-code ${QWEN_MIN_VERSION} ` +
        "that this installer writes; it was left untouched. Move it away (or set \"$version\" yourself), then run again.",
    );
  }
  return { exists: true, value: migration.settings, original: value, migration };
}

export async function readRecord(path: string): Promise<InstallRecord | undefined> {
  const text = await readIfExists(path);
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new SettingsFileError(`the install record ${path} is not valid JSON (${(error as Error).message})`);
  }
  const parsed = InstallRecordSchema.safeParse(raw);
  if (!parsed.success) throw new SettingsFileError(`the install record ${path} is not one this installer wrote: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export const toJsonText = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** `dirMode` applies to directories that have to be created (~/.qwen private, ~/.local/bin the usual 0755). */
export async function writeAtomic(path: string, text: string, mode: number, dirMode = 0o700): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: dirMode });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    await writeFile(tmp, "", { mode, flag: "wx" });
    await chmod(tmp, mode); // the umask may have narrowed or the mode never applied
    await writeFile(tmp, text, "utf8");
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

export const backupName = (path: string, now: Date): string => `${path}.bak-${now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`;

/** Copies `path` next to itself with a time stamp; the copy gets the same private mode. */
export async function backup(path: string, now: Date): Promise<string> {
  let target = backupName(path, now);
  for (let n = 1; await exists(target); n++) target = `${backupName(path, now)}-${n}`;
  await copyFile(path, target);
  await chmod(target, SETTINGS_MODE);
  return target;
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function modeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch {
    return undefined;
  }
}

export { readIfExists };
