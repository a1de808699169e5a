// Node and qwen-code version checks (pure) and the npm install of qwen-code when it is missing or too old.
import { dirname, join } from "node:path";
import type { Runner } from "./process.ts";
import { findOnPath } from "../../lib/which.ts";

export const QWEN_PACKAGE = "@qwen-code/qwen-code";
/** The version the settings keys, the tool_search/tool_call flow and the privacy list were verified with. */
export const QWEN_MIN_VERSION = "0.24.4";
/** npm range: for a 0.x package the minor is the "major" (semver caret rules), so pin 0.24. */
export const QWEN_INSTALL_SPEC = `${QWEN_PACKAGE}@~0.24.4`;
/** qwen-code 0.24 declares engines.node >= 22.0.0. */
export const NODE_MIN_MAJOR = 22;

export type Version = readonly [number, number, number];

export function parseVersion(text: string): Version | undefined {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export class EnvironmentError extends Error {
  override name = "EnvironmentError";
}

export function checkNodeVersion(found: { path: string; version: string } | undefined): void {
  if (!found) {
    throw new EnvironmentError(`Node.js was not found on PATH: qwen-code needs Node >= ${NODE_MIN_MAJOR} (https://nodejs.org, or \`nvm install ${NODE_MIN_MAJOR}\`)`);
  }
  const v = parseVersion(found.version);
  if (!v || v[0] < NODE_MIN_MAJOR) {
    throw new EnvironmentError(
      `qwen-code needs Node >= ${NODE_MIN_MAJOR}, but ${found.path} is ${found.version.trim() || "of unknown version"}: ` +
        `install Node ${NODE_MIN_MAJOR} or newer (e.g. \`nvm install ${NODE_MIN_MAJOR}\`) and put it first on PATH`,
    );
  }
}

export type QwenDecision =
  | { readonly action: "use"; readonly path: string; readonly version: string; readonly note?: string }
  | { readonly action: "install"; readonly reason: string };

export function decideQwen(found: { path: string; version: string } | undefined): QwenDecision {
  if (!found) return { action: "install", reason: "qwen is not on PATH" };
  const v = parseVersion(found.version);
  const min = parseVersion(QWEN_MIN_VERSION) as Version;
  if (!v) return { action: "install", reason: `${found.path} --version printed no version` };
  if (compareVersions(v, min) < 0) return { action: "install", reason: `${found.path} is ${v.join(".")}, older than ${QWEN_MIN_VERSION}` };
  const note = v[0] !== min[0] || v[1] !== min[1] ? `qwen ${v.join(".")} is newer than the ${QWEN_MIN_VERSION} these settings were verified with` : undefined;
  return note ? { action: "use", path: found.path, version: v.join("."), note } : { action: "use", path: found.path, version: v.join(".") };
}

export interface ToolDeps {
  readonly run: Runner;
  readonly env: Readonly<Record<string, string | undefined>>;
}

async function probe(bin: string | undefined, deps: ToolDeps): Promise<{ path: string; version: string } | undefined> {
  if (!bin) return undefined;
  const r = await deps.run(bin, ["--version"], { env: deps.env });
  return r.exitCode === 0 ? { path: bin, version: r.stdout.trim() } : undefined;
}

export async function findNode(deps: ToolDeps): Promise<{ path: string; version: string } | undefined> {
  return probe(findOnPath("node", deps.env["PATH"]), deps);
}

export async function findQwen(deps: ToolDeps, extraDirs: readonly string[] = []): Promise<{ path: string; version: string } | undefined> {
  const pathValue = [...extraDirs, deps.env["PATH"] ?? ""].join(":");
  return probe(findOnPath("qwen", pathValue), deps);
}

/** `npm install -g` of the pinned qwen-code; returns the global bin directory npm installed into. */
export async function npmInstallQwen(deps: ToolDeps): Promise<string> {
  const install = await deps.run("npm", ["install", "--global", QWEN_INSTALL_SPEC], { env: deps.env });
  if (install.exitCode !== 0) {
    const hint = /EACCES/.test(install.stderr) ? " (no write access to npm's global prefix: `npm config set prefix ~/.local` and retry)" : "";
    throw new EnvironmentError(`npm install --global ${QWEN_INSTALL_SPEC} failed${hint}:\n${install.stderr.trim()}`);
  }
  const prefix = await deps.run("npm", ["prefix", "--global"], { env: deps.env });
  return join(prefix.stdout.trim(), "bin");
}

export async function npmUninstallQwen(deps: ToolDeps): Promise<void> {
  const r = await deps.run("npm", ["uninstall", "--global", QWEN_PACKAGE], { env: deps.env });
  if (r.exitCode !== 0) throw new EnvironmentError(`npm uninstall --global ${QWEN_PACKAGE} failed:\n${r.stderr.trim()}`);
}

export const binDir = (path: string): string => dirname(path);
