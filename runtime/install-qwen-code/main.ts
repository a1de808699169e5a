// install-qwen-code: the steps, in order, with every effect behind the injected Deps.
// Decisions are made by the pure modules (desired, plan, diff, wrapper, qwen-install); this file does the I/O.
import { chmod, rm } from "node:fs/promises";
import { join } from "node:path";
import { parseOptions, USAGE } from "./args.ts";
import type { Options } from "./args.ts";
import { desiredEntries, modalProxyFrom, NO_KEY, SETTINGS_VERSION } from "./desired.ts";
import type { ModalProxyCredentials } from "./desired.ts";
import { settingsDiff } from "./diff.ts";
import {
  backup,
  installPaths,
  modeOf,
  readIfExists,
  readRecord,
  readSettings,
  SETTINGS_MODE,
  toJsonText,
  writeAtomic,
} from "./files.ts";
import type { ExistingSettings } from "./files.ts";
import { deepEqual, pathToString } from "./json-path.ts";
import type { StackOutputs } from "./outputs.ts";
import { planInstall, planUninstall } from "./plan.ts";
import type { InstallRecord } from "./plan.ts";
import type { Runner } from "./process.ts";
import {
  binDir,
  checkNodeVersion,
  decideQwen,
  findNode,
  findQwen,
  npmInstallQwen,
  npmUninstallQwen,
  QWEN_INSTALL_SPEC,
  QWEN_MIN_VERSION,
} from "./qwen-install.ts";
import { readOutputsFile, readStackOutputs } from "./stack-outputs.ts";
import type { PulumiLocator } from "./stack-outputs.ts";
import { onPath, renderWrapper, sha256, WRAPPER_MODE, WRAPPER_NAME } from "./wrapper.ts";

export interface Deps {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The project directory, where `pulumi stack output` runs. */
  readonly projectDir: string;
  readonly run: Runner;
  readonly locatePulumi: PulumiLocator;
  readonly now: () => Date;
  readonly log: (line: string) => void;
}

export class InstallError extends Error {
  override name = "InstallError";
}

export async function main(argv: readonly string[], deps: Deps): Promise<void> {
  const options = parseOptions(argv);
  if (options.help) {
    deps.log(USAGE);
    return;
  }
  const home = deps.env["HOME"];
  if (!home) throw new InstallError("HOME is not set: it decides where ~/.qwen/settings.json and ~/.local/bin are");
  if (options.uninstall) await uninstall(options, home, deps);
  else await install(options, home, deps);
}

async function loadOutputs(options: Options, deps: Deps): Promise<StackOutputs> {
  if (options.outputsFile !== undefined) return readOutputsFile(options.outputsFile);
  return readStackOutputs(options.stack, { locate: deps.locatePulumi, run: deps.run, cwd: deps.projectDir, env: deps.env });
}

const secretsOf = (outputs: StackOutputs, proxy: ModalProxyCredentials | undefined): Set<string> => {
  const candidates = [
    outputs.coder.apiKey,
    outputs.vlm?.apiKey,
    proxy?.tokenSecret,
    ...Object.entries(outputs.vlmMcpServer?.env ?? {})
      .filter(([k]) => /KEY|SECRET|TOKEN|PASSWORD/i.test(k))
      .map(([, v]) => v),
  ];
  return new Set(candidates.filter((s): s is string => typeof s === "string" && s !== "" && s !== NO_KEY));
};

interface QwenSetup {
  /** PATH entries the wrapper puts first. */
  readonly pathPrefix: string[];
  readonly installedPackage?: string;
}

async function setUpQwen(options: Options, deps: Deps): Promise<QwenSetup> {
  const tools = { run: deps.run, env: deps.env };
  const node = await findNode(tools);
  try {
    checkNodeVersion(node);
  } catch (error) {
    if (!options.noInstall) throw error;
    deps.log(`warning: ${(error as Error).message}`);
  }
  const nodeDirs = node ? [binDir(node.path)] : [];
  const decision = decideQwen(await findQwen(tools));
  if (decision.action === "use") {
    deps.log(`qwen ${decision.version} found at ${decision.path}`);
    if (decision.note) deps.log(`note: ${decision.note}`);
    return { pathPrefix: [binDir(decision.path), ...nodeDirs] };
  }
  if (options.noInstall) {
    deps.log(`warning: ${decision.reason}; --no-install given, so ${WRAPPER_NAME} will need a qwen-code >= 0.24.4 on PATH`);
    return { pathPrefix: nodeDirs };
  }
  deps.log(`${decision.reason}: installing ${QWEN_INSTALL_SPEC} with npm`);
  const globalBin = await npmInstallQwen(tools);
  const installed = decideQwen(await findQwen(tools, [globalBin]));
  if (installed.action !== "use") throw new InstallError(`npm installed ${QWEN_INSTALL_SPEC}, but qwen still cannot be used: ${installed.reason}`);
  deps.log(`qwen ${installed.version} installed at ${installed.path}`);
  return { pathPrefix: [binDir(installed.path), ...nodeDirs], installedPackage: QWEN_INSTALL_SPEC };
}

function logMigration(existing: ExistingSettings, path: string, dryRun: boolean, deps: Deps): void {
  const { migration, original } = existing;
  if (!migration.changed) return;
  const from = "$version" in original ? `"$version": ${JSON.stringify(original["$version"])}` : "no \"$version\"";
  deps.log(`${path} has ${from}; ${dryRun ? "it would be" : "it is"} migrated to ${SETTINGS_VERSION} the way qwen-code ${QWEN_MIN_VERSION} does: ${migration.steps.join(", ")}`);
  for (const warning of migration.warnings) deps.log(`warning: ${warning}`);
}

async function install(options: Options, home: string, deps: Deps): Promise<void> {
  const paths = installPaths(home);
  // Read and validate everything before touching anything: bad input leaves every file as it was.
  const outputs = await loadOutputs(options, deps);
  const modalProxy = modalProxyFrom(deps.env, outputs);
  const existing = await readSettings(paths.settings);
  const previous = await readRecord(paths.record);
  const plan = planInstall(existing.value, previous, desiredEntries({ outputs, modalProxy }));
  const secrets = secretsOf(outputs, modalProxy);
  const wrapperPath = join(paths.binDir, WRAPPER_NAME);
  // A file qwen would migrate is written even when the installer's own entries were already there.
  const changed = plan.changed || existing.migration.changed;
  logMigration(existing, paths.settings, options.dryRun, deps);

  if (options.dryRun) {
    const diff = settingsDiff(existing.original, plan.settings, secrets);
    deps.log(diff.length ? `${paths.settings} would change:\n${diff.join("\n")}` : `${paths.settings} would not change`);
    deps.log(`${WRAPPER_NAME} would be written to ${wrapperPath}; nothing was written (--dry-run)`);
    return;
  }

  const qwen = await setUpQwen(options, deps);

  if (changed) {
    const saved = existing.exists ? await backup(paths.settings, deps.now()) : undefined;
    await writeAtomic(paths.settings, toJsonText(plan.settings), SETTINGS_MODE);
    deps.log(`${paths.settings} updated${saved ? ` (previous version saved as ${saved})` : ""}:`);
    for (const line of settingsDiff(existing.original, plan.settings, secrets)) deps.log(`  ${line}`);
  } else {
    deps.log(`${paths.settings} already up to date`);
  }
  // It holds keys: keep it private even when the content was already right.
  if ((await modeOf(paths.settings)) !== SETTINGS_MODE) await chmod(paths.settings, SETTINGS_MODE);

  const wrapper = renderWrapper({
    baseUrl: outputs.coder.baseUrl,
    apiKey: outputs.coder.apiKey ?? NO_KEY,
    model: outputs.coder.model,
    modalProxy,
    pathPrefix: qwen.pathPrefix,
  });
  if ((await readIfExists(wrapperPath)) !== wrapper) {
    await writeAtomic(wrapperPath, wrapper, WRAPPER_MODE, 0o755);
    deps.log(`${wrapperPath} written`);
  } else {
    deps.log(`${wrapperPath} already up to date`);
  }
  if ((await modeOf(wrapperPath)) !== WRAPPER_MODE) await chmod(wrapperPath, WRAPPER_MODE);
  if (!onPath(paths.binDir, deps.env["PATH"])) {
    deps.log(`note: ${paths.binDir} is not on your PATH; add it (e.g. export PATH="$HOME/.local/bin:$PATH") to run ${WRAPPER_NAME}`);
  }

  const installedPackage = qwen.installedPackage ?? previous?.installedPackage;
  const record: InstallRecord = {
    ...plan.record,
    wrapper: { path: wrapperPath, sha256: sha256(wrapper) },
    ...(installedPackage ? { installedPackage } : {}),
  };
  if (!deepEqual(record, previous)) await writeAtomic(paths.record, toJsonText(record), SETTINGS_MODE);
  if (!outputs.vlmMcpServer) deps.log("note: the stack outputs have no vlmMcpServer; the vlm-analyzer MCP server was not registered");
  deps.log(`done: run \`${WRAPPER_NAME} "your prompt"\` (or ${WRAPPER_NAME} for the interactive UI)`);
}

async function uninstall(options: Options, home: string, deps: Deps): Promise<void> {
  const paths = installPaths(home);
  const record = await readRecord(paths.record);
  if (!record) {
    deps.log(`nothing to uninstall: ${paths.record} does not exist (this installer has not run for HOME=${home})`);
    return;
  }
  const existing = await readSettings(paths.settings);
  const plan = planUninstall(existing.value, record);
  const changed = plan.changed || existing.migration.changed;
  logMigration(existing, paths.settings, options.dryRun, deps);
  if (options.dryRun) {
    const diff = settingsDiff(existing.original, plan.settings);
    deps.log(diff.length ? `${paths.settings} would change:\n${diff.join("\n")}` : `${paths.settings} would not change`);
    if (record.wrapper) deps.log(`${record.wrapper.path} would be removed; nothing was written (--dry-run)`);
    return;
  }
  if (changed) {
    const saved = existing.exists ? await backup(paths.settings, deps.now()) : undefined;
    await writeAtomic(paths.settings, toJsonText(plan.settings), SETTINGS_MODE);
    deps.log(`${paths.settings}: installer entries removed${saved ? ` (previous version saved as ${saved})` : ""}`);
  }
  for (const path of plan.leftAlone) deps.log(`kept ${pathToString(path)}: it was changed after the install`);
  if (record.wrapper) {
    const text = await readIfExists(record.wrapper.path);
    if (text !== undefined && sha256(text) === record.wrapper.sha256) {
      await rm(record.wrapper.path);
      deps.log(`${record.wrapper.path} removed`);
    } else if (text !== undefined) {
      deps.log(`kept ${record.wrapper.path}: it was changed after the install`);
    }
  }
  if (record.installedPackage && !options.noInstall) {
    await npmUninstallQwen({ run: deps.run, env: deps.env });
    deps.log(`${record.installedPackage} removed with npm`);
  }
  await rm(paths.record);
  deps.log("uninstalled");
}
