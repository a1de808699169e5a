// What Modal says about the stack's apps right now, read with two control-plane calls that wake nothing:
// `modal app list --json` (state, running tasks) and `modal container list --json` (each container, its start).
// The row shapes are modal 1.6.4's (cli/app.py and cli/container.py list_, through cli/utils.py display_table:
// column titles in snake_case, every cell a string or null).
import { execa } from "execa";
import { z } from "zod";

export const AppRowSchema = z.object({
  app_id: z.string(),
  description: z.string(),
  /** "deployed", "stopped", "ephemeral", "stopping...", … (APP_STATE_TO_MESSAGE) */
  state: z.string(),
  /** n_running_tasks, as a string */
  tasks: z.string().regex(/^\d+$/),
  created_at: z.string().nullable(),
  stopped_at: z.string().nullable(),
});
export type AppRow = z.infer<typeof AppRowSchema>;

export const ContainerRowSchema = z.object({
  container_id: z.string(),
  app_id: z.string(),
  app_name: z.string(),
  /** local ISO time, or "Pending" while the container has not started */
  start_time: z.string(),
});
export type ContainerRow = z.infer<typeof ContainerRowSchema>;

export interface ModalEnvironmentState {
  readonly apps: readonly AppRow[];
  readonly containers: readonly ContainerRow[];
}

export type ModalRunner = (args: readonly string[]) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

/** `modal ARGS` with MODAL_BIN (else `modal` on PATH); stdin closed so nothing can prompt. */
export function modalRunner(env: Readonly<Record<string, string | undefined>>): ModalRunner {
  return async (args) => {
    const bin = env["MODAL_BIN"] ?? "modal";
    const r = await execa(bin, [...args], { env: { ...env }, extendEnv: false, reject: false, stdin: "ignore", timeout: 120_000 });
    if (r.failed && r.exitCode === undefined) throw new Error(`could not run ${bin}: ${r.shortMessage} (npm run setup creates .venv with the Modal CLI)`);
    return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
  };
}

function parseRows<T>(what: string, text: string, schema: z.ZodType<T>): T[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`\`modal ${what} --json\` printed no JSON (${(e as Error).message}): ${text.trim().slice(0, 200)}`);
  }
  const r = z.array(schema).safeParse(raw);
  if (!r.success) throw new Error(`\`modal ${what} --json\` printed rows of another shape: ${r.error.issues[0]?.path.join(".")}: ${r.error.issues[0]?.message}`);
  return r.data;
}

const firstLine = (text: string): string => text.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "";

/** Both lists for one Modal environment (undefined: the profile's default). Throws with modal's own error. */
export async function readModalState(environment: string | undefined, run: ModalRunner): Promise<ModalEnvironmentState> {
  const envArgs = environment ? ["-e", environment] : [];
  const call = async (what: string) => {
    const r = await run([...what.split(" "), "--json", ...envArgs]);
    if (r.exitCode !== 0) throw new Error(`modal ${what} failed: ${firstLine(r.stderr) || firstLine(r.stdout) || `exit code ${r.exitCode}`}`);
    return r.stdout;
  };
  const apps = parseRows("app list", await call("app list"), AppRowSchema);
  const containers = parseRows("container list", await call("container list"), ContainerRowSchema);
  return { apps, containers };
}
