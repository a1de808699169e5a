// A throwaway copy of the project for real-engine tests: its own stack files, a temp file backend, the fake
// modal CLI first on PATH. node_modules is linked, the program and components are copied as they are.
// Hermetic against a used checkout: stack files without the user's salt and secrets, no PULUMI_* variable of
// the caller (backend, passphrase, home, access token) reaches the engine.
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation/index.js";
import { PROJECT_DIR } from "../../components/stack-config.ts";
import { engineEnv, ensureEngine, usePluginCache } from "../../scripts/engine-lib.ts";
import { stackFileForTests } from "./dev-stack.ts";
import { FAKE_MODAL_DIR, withoutPulumiEnv } from "./project.ts";

export const PASSPHRASE = "integration-test-passphrase";

export interface EngineProject {
  dir: string;
  backendDir: string;
  modalState: string;
  env: Record<string, string>;
  stack(name: string, stackYamlFrom?: string): Promise<Stack>;
  cleanup(): void;
}

export async function engineProject(): Promise<EngineProject> {
  const engine = await ensureEngine({ quiet: true });
  const dir = mkdtempSync(join(tmpdir(), "cas-engine-"));
  for (const f of ["index.ts", "Pulumi.yaml", "package.json", "tsconfig.json", "requirements.txt", "components", "lib", "scripts"]) cpSync(join(PROJECT_DIR, f), join(dir, f), { recursive: true });
  // shared, read-only here: packages, the venv with modal, and the engine's build sources (its cache key)
  for (const f of ["node_modules", ".venv", "tools"]) symlinkSync(join(PROJECT_DIR, f), join(dir, f));
  const backendDir = join(dir, ".state");
  const modalState = join(dir, ".fake-modal");
  mkdirSync(backendDir, { recursive: true });
  let env: Record<string, string> = {
    ...engineEnv(engine.binDir, withoutPulumiEnv(process.env)),
    PULUMI_HOME: join(dir, ".pulumi-home"),
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    FAKE_MODAL_STATE: modalState,
    // explicit, so it wins over the real CLI that `npm run up` puts on PATH from .venv
    MODAL_BIN: join(FAKE_MODAL_DIR, "modal"),
    MODAL_TOKEN_ID: "ak-integration",
    MODAL_TOKEN_SECRET: "as-integration",
  };
  env.PATH = [FAKE_MODAL_DIR, engine.binDir, join(PROJECT_DIR, "node_modules", ".bin"), env.PATH].join(delimiter);
  // the command plugin from the plugin cache of a private PULUMI_HOME, not ambient from PATH (no warning per run)
  env = await usePluginCache(engine, env);
  const pulumiCommand = await PulumiCommand.get({ root: dirname(engine.binDir) });
  return {
    dir,
    backendDir,
    modalState,
    env,
    async stack(name, stackYamlFrom = "dev") {
      writeFileSync(join(dir, `Pulumi.${name}.yaml`), stackFileForTests(stackYamlFrom));
      return LocalWorkspace.createOrSelectStack({ stackName: name, workDir: dir }, { envVars: env, pulumiCommand });
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
