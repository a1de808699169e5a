// Where the stack outputs come from: `pulumi stack output --json --show-secrets --stack NAME` in the project,
// or a JSON file of the same shape. Never a hand-typed URL.
import { existsSync } from "node:fs";
import { findOnPath } from "../../lib/which.ts";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseStackOutputs, OutputsError } from "./outputs.ts";
import type { StackOutputs } from "./outputs.ts";
import type { Runner } from "./process.ts";

export interface PulumiLocation {
  readonly bin: string;
  /** Extra environment the engine needs (local backend URL, passphrase file, plugin path …). */
  readonly env?: Readonly<Record<string, string>>;
}
export type PulumiLocator = () => Promise<PulumiLocation>;

const parseJson = (text: string, source: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new OutputsError(`cannot parse the stack outputs from ${source}: ${(error as Error).message}`);
  }
};

export async function readOutputsFile(file: string): Promise<StackOutputs> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new OutputsError(`cannot read the outputs file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseStackOutputs(parseJson(text, file), file);
}

export interface StackDeps {
  readonly locate: PulumiLocator;
  readonly run: Runner;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export async function readStackOutputs(stack: string, deps: StackDeps): Promise<StackOutputs> {
  const pulumi = await deps.locate();
  const result = await deps.run(pulumi.bin, ["stack", "output", "--json", "--show-secrets", "--stack", stack], {
    cwd: deps.cwd,
    env: { ...deps.env, ...pulumi.env },
  });
  if (result.exitCode !== 0) {
    const message = result.stderr.trim().split("\n").find((l) => l.trim() !== "") ?? `exit code ${result.exitCode}`;
    if (/no stack named|stack .* not found/i.test(result.stderr)) {
      throw new OutputsError(`stack "${stack}" not found (pulumi: ${message}). Deploy it first, check --stack, or pass --outputs FILE.`);
    }
    throw new OutputsError(`pulumi stack output failed for stack "${stack}": ${message}`);
  }
  return parseStackOutputs(parseJson(result.stdout, `stack "${stack}"`), `stack "${stack}"`);
}

/** Finds an executable on a PATH value. */


/**
 * PULUMI_BIN, else the project's engine helper (scripts/engine-lib.ts `ensureEngine()`, which finds, downloads or
 * builds the pinned CLI, and `engineEnv()`), else `pulumi` on PATH. The project's embedded backend
 * (scripts/backend.ts `prepareBackend()`: local state dir and passphrase, unless PULUMI_BACKEND_URL says
 * otherwise) is added to the environment either way, since that is where `npm run up` keeps the stacks.
 */
export function defaultPulumiLocator(projectDir: string, env: Readonly<Record<string, string | undefined>>): PulumiLocator {
  return async () => {
    const backendEnv = await projectBackendEnv(projectDir, env);
    if (env["PULUMI_BIN"]) return { bin: env["PULUMI_BIN"], env: backendEnv };
    const engineLib = join(projectDir, "scripts", "engine-lib.ts");
    if (existsSync(engineLib)) {
      const mod = (await import(engineLib)) as {
        ensureEngine?: (opts: { env: NodeJS.ProcessEnv }) => Promise<unknown>;
        engineEnv?: (binDir: string, base: NodeJS.ProcessEnv) => Record<string, string>;
      };
      if (typeof mod.ensureEngine === "function") {
        const found = normalizeEngine(await mod.ensureEngine({ env: { ...env } }));
        if (found) {
          const extra = found.binDir && typeof mod.engineEnv === "function" ? mod.engineEnv(found.binDir, { ...env }) : {};
          return { bin: found.bin, env: { ...extra, ...backendEnv } };
        }
      }
    }
    const onPath = findOnPath("pulumi", env["PATH"]);
    if (onPath) return { bin: onPath, env: backendEnv };
    throw new OutputsError("the Pulumi CLI was not found: run `npm run engine` or set PULUMI_BIN, or pass --outputs FILE");
  };
}

async function projectBackendEnv(projectDir: string, env: Readonly<Record<string, string | undefined>>): Promise<Record<string, string>> {
  const backendLib = join(projectDir, "scripts", "backend.ts");
  if (!existsSync(backendLib)) return {};
  const mod = (await import(backendLib)) as { prepareBackend?: (env: NodeJS.ProcessEnv) => Record<string, string> };
  return typeof mod.prepareBackend === "function" ? mod.prepareBackend({ ...env }) : {};
}

// ensureEngine() belongs to another part of the project; accept a path or an object carrying one.
function normalizeEngine(value: unknown): { bin: string; binDir?: string } | undefined {
  if (typeof value === "string" && value !== "") return { bin: value };
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const bin = [v["pulumi"], v["pulumiBin"], v["pulumiPath"], v["bin"], v["path"]].find((x): x is string => typeof x === "string" && x !== "");
  if (!bin) return undefined;
  return typeof v["binDir"] === "string" ? { bin, binDir: v["binDir"] } : { bin };
}
