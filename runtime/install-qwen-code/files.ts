// File I/O of the installer: settings.json, the install record, backups, the wrapper. Writes are atomic
// (temporary file + rename in the same directory) and get their mode before any content lands.
import { chmod, copyFile, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { isObject } from "./json-path.ts";
import type { JsonObject } from "./json-path.ts";
import { InstallRecordSchema } from "./plan.ts";
import type { InstallRecord } from "./plan.ts";
import { SETTINGS_VERSION } from "./desired.ts";

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
  readonly value: JsonObject;
}

/** Parses the user's settings; any problem is an error that leaves the file as it is. */
export async function readSettings(path: string): Promise<ExistingSettings> {
  const text = await readIfExists(path);
  if (text === undefined || text.trim() === "") return { exists: text !== undefined, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SettingsFileError(
      `${path} is not valid JSON (${(error as Error).message}); it was left untouched. ` +
        "Fix it (comments are not supported by this installer) or move it away, then run again.",
    );
  }
  if (!isObject(value)) throw new SettingsFileError(`${path} does not hold a JSON object; it was left untouched`);
  const keys = Object.keys(value).filter((k) => k !== "$version");
  if (keys.length > 0 && value["$version"] !== SETTINGS_VERSION) {
    // Older (or newer) layouts are migrated by qwen itself; writing "$version": 4 over them would stop that.
    throw new SettingsFileError(
      `${path} has settings format "$version": ${JSON.stringify(value["$version"] ?? "none")}, not ${SETTINGS_VERSION}; it was left untouched. ` +
        "Start `qwen` once so it migrates the file, then run the installer again.",
    );
  }
  return { exists: true, value };
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
