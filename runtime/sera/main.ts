// sera: parse → gather the few facts the plan needs (stack outputs/config, where Claude Code is) → plan → run.
// main() returns the exit code and throws on errors; only bin.js turns that into a process exit.
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from "node:fs";
import { constants as osConstants, homedir } from "node:os";
import { join } from "node:path";
import { PROJECT } from "../../components/project.ts";
import { jsonLogger, silentLogger, type Logger } from "../proxy/log.ts";
import { parseCli } from "./args.ts";
import { buildPlan, needsStackOutputs, type Facts } from "./plan.ts";
import type { RunnerDeps } from "./runner.ts";
import { runPlan } from "./runner.ts";
import { endpointConfigs } from "./config-cache.ts";
import { resolveSettings } from "./settings.ts";
import type { readSessionOutputs } from "./stack.ts";

export type Env = Readonly<Record<string, string | undefined>>;

/** Where sera writes its log: $XDG_STATE_HOME/coding-agent-server/sera.log (default ~/.local/state/…). */
/** sera's state directory: $XDG_STATE_HOME/coding-agent-server, else ~/.local/state/coding-agent-server */
export function stateDir(env: Env, home = homedir()): string {
  const state = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith("/") ? env.XDG_STATE_HOME : join(home, ".local", "state");
  return join(state, PROJECT);
}

export function logFilePath(env: Env, home = homedir()): string {
  return join(stateDir(env, home), "sera.log");
}

/** The project's Claude Code (a dev dependency), else whatever `claude` is on PATH. */
export function claudeBinFor(projectDir: string, exists: (p: string) => boolean = existsSync): string {
  const local = join(projectDir, "node_modules", ".bin", "claude");
  return exists(local) ? local : "claude";
}

/** A process killed by a signal exits 128 + its number, as shells report it. */
export function signalExitCode(signal: string | undefined): number {
  const n = signal ? (osConstants.signals as Record<string, number>)[signal] : undefined;
  return n ? 128 + n : 1;
}

export interface MainOptions {
  readonly env: Env;
  readonly projectDir: string;
  /** effects; anything not given uses the real thing */
  readonly deps?: Partial<RunnerDeps> & { readonly random?: () => string; readonly readOutputs?: typeof readSessionOutputs };
}

function fileLogger(file: string): { logger: Logger; close: () => Promise<void> } {
  try {
    mkdirSync(join(file, ".."), { recursive: true, mode: 0o700 });
    const fd = openSync(file, "a", 0o600);
    // The lines of one event-loop round go out in one synchronous write on this thread. An async write goes
    // through libuv's thread pool: per request a futex wake of a worker, its write, and an async wake-up back
    // (PERFORMANCE.md, fourth pass). A few hundred bytes appended to a local file cost less than that hand-off.
    // Not later than the end of the round: a reader of the log (tests/e2e) sees a request's lines once its answer
    // has gone out.
    let pending = "";
    let scheduled = false;
    let broken = false;
    const flush = () => {
      scheduled = false;
      if (pending !== "" && !broken) {
        try { writeSync(fd, pending); } catch { broken = true; } // a full disk must not take the session down
      }
      pending = "";
    };
    const write = (line: string) => {
      pending += line;
      if (!scheduled) { scheduled = true; setImmediate(flush); }
    };
    return { logger: jsonLogger(write), close: async () => { flush(); try { closeSync(fd); } catch { /* closed */ } } };
  } catch {
    return { logger: silentLogger, close: async () => {} };
  }
}

async function defaultDeps(env: Env, projectDir: string): Promise<Omit<RunnerDeps, "logger" | "logFile">> {
  const { startProxy } = await import("../proxy/server.ts");
  const { nativeDialect } = await import("../proxy/dialects/native.ts");
  const { sweAgentDialect } = await import("../proxy/dialects/swe-agent.ts");
  return {
    startProxy,
    dialectFor: (name) => (name === "native" ? nativeDialect : sweAgentDialect),
    runClaude: async (bin, args, childEnv, terminate) => {
      // loaded here, not at the top: a --proxy-only session never starts a child, and execa is ~20 MB of RSS
      const { execa } = await import("execa");
      const r = await execa(bin, [...args], { env: childEnv, extendEnv: false, stdio: "inherit", reject: false, cancelSignal: terminate, forceKillAfterDelay: 5_000 });
      if (r.failed && r.exitCode === undefined && !r.signal && !r.isCanceled) {
        throw new Error(`could not start Claude Code (${bin}): ${r.shortMessage}. Run \`npm ci\` in ${projectDir} or install @anthropic-ai/claude-code.`);
      }
      return r.exitCode ?? signalExitCode(r.signal);
    },
    deploy: async (spec, opts) => {
      const { deployEndpoint } = await import("../../components/modal/runner.ts");
      return deployEndpoint(spec, { ...opts, env: { ...env } });
    },
    imageDescriber: async (vlmEnv) => (await import("../proxy/images/vlm.ts")).vlmDescriber(vlmEnv),
    stop: async (spec, opts) => {
      const { stopEndpoint } = await import("../../components/modal/runner.ts");
      await stopEndpoint(spec, { ...opts, env: { ...env } });
    },
    onInterrupt: (handler) => {
      const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
      for (const s of signals) process.on(s, handler);
      return () => {
        for (const s of signals) process.off(s, handler);
      };
    },
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env,
  };
}

export async function main(argv: readonly string[], opts: MainOptions): Promise<number> {
  const { env, projectDir } = opts;
  const cli = parseCli(argv);
  const random = opts.deps?.random ?? (() => randomBytes(24).toString("base64url"));
  const stackName = resolveSettings(cli, env, undefined).stack.value;

  let facts: Facts = { project: PROJECT, claudeBin: claudeBinFor(projectDir), random };
  if (cli.command !== "help") {
    // --modal/deploy/stop deploy from this config; a session learns the context length (and, for the coder,
    // whether it needs Modal proxy auth) from it. A missing stack file is reported by the plan only where needed.
    // stack.ts (zod, yaml and the config schema: ~20 MB for the whole session) only when there is a file to read
    // that this code has not read before (config-cache.ts)
    const c = await endpointConfigs(stackName, projectDir, join(stateDir(env), "cache"));
    facts = {
      ...facts,
      ...(c.sera ? { seraConfig: c.sera } : { seraConfigProblem: c.seraProblem }),
      ...(c.coder ? { coderConfig: c.coder } : { coderConfigProblem: c.coderProblem }),
    };
    // --outputs FILE is read whenever given; Pulumi is asked only when the plan needs the outputs (--coder even on
    // a dry run: it has nothing to show without them)
    if (cli.outputs !== undefined || (needsStackOutputs(cli, env) && (!cli.dryRun || cli.coder))) {
      let o;
      const { readOutputsFile, readSessionOutputs } = await import("./stack.ts");
      if (cli.outputs !== undefined) o = await readOutputsFile(cli.outputs);
      else {
        const read = opts.deps?.readOutputs ?? readSessionOutputs;
        const { defaultPulumiLocator } = await import("../install-qwen-code/stack-outputs.ts");
        o = await read(stackName, projectDir, env, defaultPulumiLocator(projectDir, env));
      }
      facts = {
        ...facts,
        ...(o.sera ? { stackOutput: o.sera } : { stackOutputProblem: o.seraProblem }),
        ...(o.coder ? { coderOutput: o.coder } : { coderOutputProblem: o.coderProblem }),
        ...(o.vlmMcpServer ? { vlmMcpServer: o.vlmMcpServer } : { vlmMcpServerProblem: o.vlmMcpServerProblem }),
      };
    }
  }
  const plan = buildPlan(cli, env, facts);

  const logFile = logFilePath(env);
  const log = plan.kind === "help" || plan.dryRun ? { logger: silentLogger, close: async () => {} } : fileLogger(logFile);
  try {
    const base = await defaultDeps(env, projectDir);
    return await runPlan(plan, { ...base, logger: log.logger, logFile, ...opts.deps });
  } finally {
    await log.close();
  }
}
