// The one PATH lookup the project uses (deploy runner, engine setup, installer, screenshot capture).
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** First executable named `name` in the directories of `pathValue` (a PATH string), or undefined. */
export function findOnPath(name: string, pathValue: string | undefined, exists: (path: string) => boolean = isExecutable): string | undefined {
  for (const dir of (pathValue ?? "").split(delimiter)) {
    if (dir && exists(join(dir, name))) return join(dir, name);
  }
  return undefined;
}
