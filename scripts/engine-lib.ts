// The Pulumi engine (CLI + Node language host + `command` resource plugin) in one bin directory.
// Order: a matching `pulumi` already on PATH → a valid cached bin dir → the official installer when
// reachable → a build from Go modules (tools/pulumi-build). Pure helpers are exported for tests.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { execa } from "execa";
import { findOnPath, isExecutable } from "../lib/which.ts";
import { z } from "zod";

export const PROJECT_DIR = join(import.meta.dirname, "..");
export const BUILD_DIR = join(PROJECT_DIR, "tools", "pulumi-build");

export const BINARIES = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-command"] as const;

export interface Engine {
  readonly binDir: string;
  readonly pulumi: string;
  /** `pulumi version` without the leading "v", e.g. "3.259.0". */
  readonly version: string;
}

export interface EngineVersions {
  /** @pulumi/pulumi in package.json: the CLI version an installed or downloaded engine must have. */
  readonly sdk: string;
  /** @pulumi/command's plugin version (package.json "pulumi.version" of the installed package). */
  readonly command: string;
  /** github.com/pulumi/pulumi/pkg/v3 pinned in tools/pulumi-build/go.mod: the version a build produces. */
  readonly build: string;
}

const exactVersion = z.string().regex(/^\d+\.\d+\.\d+$/, "must be an exact version like 3.259.0 (no range)");
const packageJson = z.object({
  dependencies: z.object({ "@pulumi/pulumi": exactVersion, "@pulumi/command": exactVersion }),
});
const commandPackageJson = z.object({ pulumi: z.object({ name: z.literal("command"), version: exactVersion }) });

/** The exact @pulumi/pulumi and @pulumi/command versions pinned in package.json. */
export function sdkVersionsFrom(pkg: unknown): { pulumi: string; command: string } {
  const r = packageJson.safeParse(pkg);
  if (!r.success) {
    throw new Error(`package.json: dependencies ${r.error.issues.map((i) => `${i.path.slice(1).join(".")} ${i.message}`).join("; ")}`);
  }
  return { pulumi: r.data.dependencies["@pulumi/pulumi"], command: r.data.dependencies["@pulumi/command"] };
}

/** The plugin version @pulumi/command registers its resources with. */
export function commandPluginVersionFrom(pkg: unknown): string {
  const r = commandPackageJson.safeParse(pkg);
  if (!r.success) throw new Error(`node_modules/@pulumi/command/package.json has no pulumi.version: ${r.error.message}`);
  return r.data.pulumi.version;
}

/** The version of `module` required in a go.mod text (without "v"). */
export function goModRequire(goMod: string, module: string): string {
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const m = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+v(\\S+)`, "m").exec(goMod);
  if (!m) throw new Error(`go.mod does not require ${module}`);
  return m[1];
}

/** The minimum Go version of a go.mod (`go 1.25.11` → "1.25.11"). */
export function goModGoVersion(goMod: string): string {
  const m = /^go\s+(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(goMod);
  if (!m) throw new Error("go.mod has no go directive");
  return m[1];
}

/** `pulumi version` output → "3.259.0"; undefined for unstamped or garbled builds. */
export function parsePulumiVersion(stdout: string): string | undefined {
  const m = /^v?(\d+\.\d+\.\d+(?:[-+][\w.-]+)?)\s*$/.exec(stdout.trim());
  return m?.[1];
}

/** Compares dotted numeric versions ("1.26.8" vs "1.25.11"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Root of our engine cache: $XDG_CACHE_HOME (or ~/.cache)/coding-agent-server/engine. */
export function engineCacheRoot(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith("/") ? env.XDG_CACHE_HOME : join(home, ".cache");
  return join(base, "coding-agent-server", "engine");
}

/** Bin dir of an official engine (installer) or of a build (keyed by the build sources' hash too). */
export function engineBinDir(root: string, cli: string, command: string, sourceHash?: string): string {
  const key = `v${cli}-command${command}` + (sourceHash ? `-src${sourceHash}` : "");
  return join(root, key, "bin");
}

/** Hash of everything a build depends on, so editing tools/pulumi-build invalidates the cache. */
export function buildSourceHash(dir: string = BUILD_DIR): string {
  const h = createHash("sha256");
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith(".go") || e.name.startsWith("go.") ? [join(d, e.name)] : []))
      .sort();
  for (const f of walk(dir)) {
    h.update(f.slice(dir.length)).update("\0").update(readFileSync(f)).update("\0");
  }
  return h.digest("hex").slice(0, 10);
}

export type EngineSource = "path" | "cache" | "installer" | "build";

export interface EngineProbes {
  /** A `pulumi` on PATH of the wanted version whose dir also holds the host and the plugin. */
  onPath(): Promise<Engine | undefined>;
  /** A previously installed or built bin dir that still validates. */
  cached(): Promise<Engine | undefined>;
  /** Whether the official installer's download host answers (quickly; never hangs). */
  installerReachable(): Promise<boolean>;
  install(): Promise<Engine>;
  build(): Promise<Engine>;
}

/** The decision order, with every side effect injected. */
export async function resolveEngine(p: EngineProbes, log: (s: string) => void = () => {}): Promise<Engine & { source: EngineSource }> {
  const onPath = await p.onPath();
  if (onPath) return { ...onPath, source: "path" };
  const cached = await p.cached();
  if (cached) return { ...cached, source: "cache" };
  if (await p.installerReachable()) {
    try {
      return { ...(await p.install()), source: "installer" };
    } catch (e) {
      log(`engine: the official installer failed (${(e as Error).message}); building from Go modules instead`);
    }
  } else {
    log("engine: the official installer is not reachable; building from Go modules");
  }
  return { ...(await p.build()), source: "build" };
}

/** Environment for running our `pulumi` offline: our bin dir and Node 24 first on PATH, no plugin downloads. */
export function engineEnv(binDir: string, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  // The version matches (or is pinned on purpose), so the Automation API's check stays on.
  delete env.PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK;
  // Our plugin must be found as an ambient plugin on PATH.
  delete env.PULUMI_IGNORE_AMBIENT_PLUGINS;
  const nodeBin = join(PROJECT_DIR, "node_modules", ".bin");
  const rest = (env.PATH ?? "").split(delimiter).filter((p) => p && p !== binDir && p !== nodeBin);
  env.PATH = [binDir, nodeBin, ...rest].join(delimiter);
  env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION = "true";
  env.PULUMI_SKIP_UPDATE_CHECK = "true";
  return env;
}

/** $PULUMI_HOME/plugins (default ~/.pulumi/plugins): the plugin cache the engine searches. */
export function pluginCacheDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  return join(env.PULUMI_HOME || join(home, ".pulumi"), "plugins");
}

// ---------------------------------------------------------------------------------------------
// I/O

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

export function engineVersions(): EngineVersions {
  const sdk = sdkVersionsFrom(readJson(join(PROJECT_DIR, "package.json")));
  const cmdPkg = join(PROJECT_DIR, "node_modules", "@pulumi", "command", "package.json");
  const command = existsSync(cmdPkg) ? commandPluginVersionFrom(readJson(cmdPkg)) : sdk.command;
  const build = goModRequire(readFileSync(join(BUILD_DIR, "go.mod"), "utf8"), "github.com/pulumi/pulumi/pkg/v3");
  return { sdk: sdk.pulumi, command, build };
}


/**
 * Runs `<binDir>/pulumi version` and checks the other two binaries are beside it. With
 * `commandPluginIn`, the command plugin may instead be in that plugin cache dir (how an official
 * install keeps it: ~/.pulumi/plugins/resource-command-v<ver>/).
 */
export async function validateBinDir(binDir: string, wanted: string, commandPluginIn?: string): Promise<Engine | undefined> {
  const [pulumiBin, host, plugin] = BINARIES.map((b) => join(binDir, b));
  const pluginOk = isExecutable(plugin) || (commandPluginIn !== undefined && isExecutable(join(commandPluginIn, "pulumi-resource-command")));
  if (!isExecutable(pulumiBin) || !isExecutable(host) || !pluginOk) return undefined;
  const r = await execa(pulumiBin, ["version"], { reject: false, timeout: 30_000, env: { PULUMI_SKIP_UPDATE_CHECK: "true" } });
  const version = r.exitCode === 0 ? parsePulumiVersion(r.stdout) : undefined;
  return version === wanted ? { binDir, pulumi: pulumiBin, version } : undefined;
}


const INSTALLER_HOST = "https://get.pulumi.com";

function installerUrls(v: EngineVersions): { cli: string; command: string } {
  const arch = process.arch === "arm64" ? "arm64" : "x64";
  const goArch = process.arch === "arm64" ? "arm64" : "amd64";
  return {
    cli: `${INSTALLER_HOST}/releases/sdk/pulumi-v${v.sdk}-${process.platform}-${arch}.tar.gz`,
    command: `${INSTALLER_HOST}/releases/plugins/pulumi-resource-command-v${v.command}-${process.platform}-${goArch}.tar.gz`,
  };
}

async function download(url: string, dest: string): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(300_000) });
  if (!res.ok || !res.body) throw new Error(`GET ${url}: HTTP ${res.status}`);
  writeFileSync(dest, Buffer.from(await res.arrayBuffer()));
}

/** Official release tarballs: pulumi/{pulumi,pulumi-language-nodejs,…} and the command plugin. */
async function installOfficial(v: EngineVersions, binDir: string, log: (s: string) => void): Promise<Engine> {
  const urls = installerUrls(v);
  const work = join(dirname(binDir), `.install-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, "bin"), { recursive: true });
  try {
    log(`engine: downloading pulumi v${v.sdk} and the command plugin v${v.command}…`);
    await download(urls.cli, join(work, "cli.tgz"));
    await download(urls.command, join(work, "command.tgz"));
    await execa("tar", ["-xzf", join(work, "cli.tgz"), "-C", join(work, "bin"), "--strip-components=1"]);
    await execa("tar", ["-xzf", join(work, "command.tgz"), "-C", join(work, "bin"), "pulumi-resource-command"]);
    return await publish(work, binDir, v.sdk);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Moves a finished work/bin into place and validates it. */
async function publish(work: string, binDir: string, version: string): Promise<Engine> {
  const engine = await validateBinDir(join(work, "bin"), version);
  if (!engine) throw new Error(`the new engine in ${work}/bin did not report pulumi version v${version}`);
  rmSync(binDir, { recursive: true, force: true });
  mkdirSync(dirname(binDir), { recursive: true });
  renameSync(join(work, "bin"), binDir);
  const valid = await validateBinDir(binDir, version);
  if (!valid) throw new Error(`engine in ${binDir} failed validation after install`);
  return valid;
}

export interface BuildOptions {
  readonly log: (s: string) => void;
  /** Seconds between "still building…" lines. */
  readonly tickSeconds?: number;
}

/** `go` from PATH, else the official tarball's default location (often not on a non-login PATH). */
export async function goBinary(path: string | undefined = process.env.PATH): Promise<string> {
  return findOnPath("go", path) ?? (isExecutable("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : "go");
}

/** Go settings for the build: keep the default module/build caches; use the local toolchain when new enough. */
export async function goBuildEnv(goMin: string, base: NodeJS.ProcessEnv = process.env, go = "go"): Promise<Record<string, string>> {
  const r = await execa(go, ["env", "GOVERSION"], { reject: false, env: base });
  if (r.exitCode !== 0 || r.failed) {
    throw new Error(`Go >= ${goMin} is needed to build the Pulumi engine and \`go\` was not found on PATH (install it from go.dev; Debian's golang is too old)`);
  }
  const local = r.stdout.trim().replace(/^go/, "");
  const env: Record<string, string> = {};
  // An older local Go may fetch the required toolchain through the module proxy.
  if (compareVersions(local, goMin) < 0) env.GOTOOLCHAIN = `go${goMin}+auto`;
  else env.GOTOOLCHAIN = "local";
  env.GOFLAGS = [base.GOFLAGS ?? "", "-mod=readonly"].join(" ").trim();
  return env;
}

// -buildvcs=false: the wrapper module sits inside the project's git checkout; stamping its VCS state
// is useless and fails in checkouts git refuses to read (e.g. owned by another user).
export function goBuildArgs(pkg: string, out: string, ldflags: string): string[] {
  return ["build", "-v", "-trimpath", "-buildvcs=false", "-tags", "osusergo,grpcnotrace", "-ldflags", `-w -s ${ldflags}`, "-o", out, pkg];
}

/** Builds the three binaries from tools/pulumi-build into binDir, printing progress to log. */
export async function buildEngine(v: EngineVersions, binDir: string, opts: BuildOptions): Promise<Engine> {
  const { log } = opts;
  const goMod = readFileSync(join(BUILD_DIR, "go.mod"), "utf8");
  const go = await goBinary();
  const env = await goBuildEnv(goModGoVersion(goMod), process.env, go);
  const work = join(dirname(binDir), `.build-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, "bin"), { recursive: true });
  const started = Date.now();
  let compiled = 0;
  let downloaded = 0;
  const tick = setInterval(() => {
    const dl = downloaded ? `${downloaded} modules downloaded, ` : "";
    log(`engine: still building… ${Math.round((Date.now() - started) / 1000)}s (${dl}${compiled} packages compiled)`);
  }, (opts.tickSeconds ?? 30) * 1000);
  const targets: Array<[string, string, string]> = [
    ["pulumi", "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi", `-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${v.build}`],
    ["pulumi-language-nodejs", "./cmd/pulumi-language-nodejs", `-X main.version=v${v.build}`],
    ["pulumi-resource-command", "./cmd/pulumi-resource-command", `-X main.version=v${v.command}`],
  ];
  try {
    for (const [i, [name, pkg, ldflags]] of targets.entries()) {
      log(`engine: [${i + 1}/${targets.length}] go build ${name}…`);
      const child = execa(go, goBuildArgs(pkg, join(work, "bin", name), ldflags), {
        cwd: BUILD_DIR,
        env,
        reject: false,
        buffer: false,
      });
      const tail: string[] = [];
      child.stderr?.on("data", (chunk: Buffer) => {
        for (const line of chunk.toString().split("\n")) {
          if (!line) continue;
          if (/^[\w.\-~]+(\/[\w.\-~]+)*$/.test(line)) compiled++;
          else if (line.startsWith("go: downloading ")) downloaded++;
          else tail.push(line);
          if (tail.length > 40) tail.shift();
        }
      });
      const r = await child;
      if (r.exitCode !== 0) {
        throw new Error(`go build ${pkg} failed (exit ${r.exitCode}):\n${tail.join("\n")}`);
      }
    }
    log(`engine: built in ${Math.round((Date.now() - started) / 1000)}s (${compiled} packages compiled)`);
    return await publish(work, binDir, v.build);
  } finally {
    clearInterval(tick);
    rmSync(work, { recursive: true, force: true });
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    if (statSync(a).size !== statSync(b).size) return false;
    const h = (f: string) => createHash("sha256").update(readFileSync(f)).digest("hex");
    return h(a) === h(b);
  } catch {
    return false;
  }
}

/**
 * Installs the engine's command plugin into the plugin cache of env's PULUMI_HOME (offline:
 * `pulumi plugin install --file`) and returns env with ambient plugins ignored. The engine then
 * loads the plugin from the cache, without the "using pulumi-resource-command from $PATH" warning
 * that an ambient plugin gets on every run. Use an isolated PULUMI_HOME: the plugin of a build is
 * our own implementation (tools/pulumi-build/README.md) and should not land in ~/.pulumi.
 */
export async function usePluginCache(engine: Engine, env: Record<string, string>, commandVersion = engineVersions().command): Promise<Record<string, string>> {
  const plugin = join(engine.binDir, "pulumi-resource-command");
  const installed = join(pluginCacheDir(env), `resource-command-v${commandVersion}`, "pulumi-resource-command");
  if (!sameFile(plugin, installed)) {
    const r = await execa(engine.pulumi, ["plugin", "install", "resource", "command", commandVersion, "--file", plugin, "--reinstall"], {
      env,
      reject: false,
      all: true,
    });
    if (r.exitCode !== 0) throw new Error(`pulumi plugin install resource command ${commandVersion} --file ${plugin} failed:\n${r.all}`);
  }
  return { ...env, PULUMI_IGNORE_AMBIENT_PLUGINS: "true" };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Runs fn while holding a lock directory (one build or install at a time per cache root, e.g. two
 * jest workers or a test run beside `npm run engine`). A lock whose owner process is gone is taken over.
 */
export async function withLock<T>(lockDir: string, fn: () => Promise<T>, log: (s: string) => void, pollMs = 5000): Promise<T> {
  mkdirSync(dirname(lockDir), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, "pid"), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(lockDir, "pid"), "utf8"));
      } catch {
        // the owner may not have written its pid yet
      }
      if (Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!announced) log(`engine: waiting for another engine build or install (pid ${owner || "?"}, lock ${lockDir})…`);
      announced = true;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

export async function installerReachable(v: EngineVersions, timeoutMs = 3000): Promise<boolean> {
  try {
    const res = await fetch(installerUrls(v).cli, { method: "HEAD", signal: AbortSignal.timeout(timeoutMs) });
    return res.ok;
  } catch {
    return false;
  }
}

export interface EnsureOptions {
  readonly quiet?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Makes the engine available and returns its bin dir. A build is reported on stderr unless quiet
 * (build failures are always reported through the thrown error).
 */
export async function ensureEngine(opts: EnsureOptions = {}): Promise<Engine> {
  const env = opts.env ?? process.env;
  const log = opts.quiet ? () => {} : (s: string) => process.stderr.write(s + "\n");
  const v = engineVersions();
  if (v.build !== v.sdk) {
    log(
      `engine: note: @pulumi/pulumi is ${v.sdk} but tools/pulumi-build builds pulumi ${v.build} ` +
        `(the newest github.com/pulumi/pulumi/pkg/v3 the Go module proxy serves here)`,
    );
  }
  const root = engineCacheRoot(env);
  const officialDir = engineBinDir(root, v.sdk, v.command);
  const buildDir = engineBinDir(root, v.build, v.command, buildSourceHash());
  const engine = await resolveEngine(
    {
      onPath: async () => {
        const found = findOnPath("pulumi", env.PATH);
        const pluginCache = join(pluginCacheDir(env), `resource-command-v${v.command}`);
        return found ? validateBinDir(dirname(found), v.sdk, pluginCache) : undefined;
      },
      cached: async () => (await validateBinDir(officialDir, v.sdk)) ?? (await validateBinDir(buildDir, v.build)),
      installerReachable: () => (env.ENGINE_SKIP_INSTALLER ? Promise.resolve(false) : installerReachable(v)),
      install: () =>
        withLock(join(root, ".lock"), async () => (await validateBinDir(officialDir, v.sdk)) ?? installOfficial(v, officialDir, log), log),
      build: () =>
        withLock(
          join(root, ".lock"),
          async () => {
            // Another process may have finished the same build while we waited for the lock.
            const done = await validateBinDir(buildDir, v.build);
            if (done) return done;
            log(`engine: building pulumi v${v.build}, pulumi-language-nodejs and pulumi-resource-command ${v.command} from Go modules`);
            log(`engine: a first build takes about 10-20 min on 2 cores; Go's caches make later rebuilds quick. Output: ${buildDir}`);
            return buildEngine(v, buildDir, { log });
          },
          log,
        ),
    },
    log,
  );
  if (engine.source !== "cache" && engine.source !== "path") log(`engine: ready (${engine.source}) in ${engine.binDir}`);
  return { binDir: engine.binDir, pulumi: engine.pulumi, version: engine.version };
}

