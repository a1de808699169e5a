// The subprocess seam: everything the installer runs goes through a Runner, so tests inject a fake.
import { execa } from "execa";

export interface RunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type Runner = (
  file: string,
  args: readonly string[],
  options?: { readonly cwd?: string; readonly env?: Readonly<Record<string, string | undefined>> },
) => Promise<RunResult>;

/** Runs with argv arrays (no shell), never throws on a non-zero exit; a missing binary is exit code 127. */
export const execaRunner: Runner = async (file, args, options) => {
  const result = await execa(file, [...args], {
    cwd: options?.cwd,
    env: options?.env,
    extendEnv: options?.env === undefined,
    reject: false,
    stdin: "ignore",
  });
  if (result.failed && result.exitCode === undefined) {
    return { exitCode: 127, stdout: "", stderr: result.shortMessage ?? `cannot run ${file}` };
  }
  return { exitCode: result.exitCode ?? 1, stdout: result.stdout, stderr: result.stderr };
};
