// Everything a `pulumi` process of ours needs: the engine's bin dir, Node 24 and the venv's `modal` on PATH,
// the embedded backend, and no network for plugins.
import { delimiter, join } from "node:path";
import { PROJECT_DIR } from "../components/stack-config.ts";
import { LOCAL_DIR, prepareBackend } from "./backend.ts";
import { engineEnv, ensureEngine, usePluginCache } from "./engine-lib.ts";
import { ensureVenv } from "./setup.ts";

export interface PulumiSetup {
  readonly pulumi: string;
  readonly binDir: string;
  readonly env: Record<string, string>;
}

export async function pulumiSetup(base: NodeJS.ProcessEnv = process.env, opts: { quiet?: boolean } = {}): Promise<PulumiSetup> {
  const venv = await ensureVenv();
  const engine = await ensureEngine({ quiet: opts.quiet });
  let env = { ...(engineEnv(engine.binDir, base) as Record<string, string>), ...prepareBackend(base) };
  env.PATH = [engine.binDir, join(PROJECT_DIR, "node_modules", ".bin"), join(venv, "bin"), env.PATH ?? ""].join(delimiter);
  // On the embedded backend, a project-local PULUMI_HOME holds our command plugin in its plugin cache.
  // With another backend the user's PULUMI_HOME (and its login) stays; the plugin is then found on PATH.
  if (!base.PULUMI_BACKEND_URL && !base.PULUMI_HOME) env = await usePluginCache(engine, { ...env, PULUMI_HOME: join(LOCAL_DIR, "home") });
  return { pulumi: engine.pulumi, binDir: engine.binDir, env };
}
