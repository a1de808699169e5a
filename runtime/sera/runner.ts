// Carries out a plan: the one place with side effects (Modal, the proxy socket, Claude Code's process,
// signals). Every effect is an injected dependency so tests drive it with fakes and real stubs alike.
import type { EndpointSpec } from "../../components/endpoint-spec.ts";
import type { ImageDescriber } from "../proxy/images/describe.ts";
import type { Logger } from "../proxy/log.ts";
import type { RunningProxy, StartProxyOptions } from "../proxy/server.ts";
import { writeMcpConfig, type McpConfigFile } from "./mcp-config.ts";
import { claudeEnv, claudeHint, coderClaudeEnv, describePlan, type DeployPlan, type Plan, type SessionPlan, type StopPlan } from "./plan.ts";

export interface DeployedEndpoint {
  readonly appName: string;
  readonly url: string;
  readonly openaiBaseUrl: string;
}

export interface RunnerDeps {
  readonly startProxy: (opts: StartProxyOptions) => Promise<RunningProxy>;
  readonly dialectFor: (name: "native" | "swe-agent") => StartProxyOptions["dialect"];
  /** runs Claude Code with the terminal; resolves with its exit code. `terminate` asks it to end (SIGTERM). */
  readonly runClaude: (bin: string, args: readonly string[], env: Record<string, string>, terminate: AbortSignal) => Promise<number>;
  readonly deploy: (spec: EndpointSpec, opts: { apiKey: string; waitReady: boolean; onProgress: (line: string) => void; signal: AbortSignal }) => Promise<DeployedEndpoint>;
  readonly stop: (spec: EndpointSpec, opts: { onProgress: (line: string) => void }) => Promise<void>;
  /** the proxy's image describer for a model without vision, from the vlm-analyzer env */
  readonly imageDescriber: (env: Readonly<Record<string, string>>) => Promise<ImageDescriber>;
  /** subscribes to Ctrl+C (SIGINT), SIGTERM and SIGHUP (terminal closed); returns the unsubscribe function */
  readonly onInterrupt: (handler: (signal: NodeJS.Signals) => void) => () => void;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly logFile?: string;
}

/** Exit code of a run cut short by Ctrl+C (128 + SIGINT). */
export const INTERRUPTED = 130;

/** An error after Ctrl+C is the interruption itself (a cancelled deploy, a closed socket): exit 130. */
function interruptedOr(e: unknown, interrupt: AbortSignal, deps: Pick<RunnerDeps, "err">): number {
  if (!interrupt.aborted) throw e;
  deps.err("\nInterrupted.\n");
  return INTERRUPTED;
}

async function runSession(plan: SessionPlan, deps: RunnerDeps): Promise<number> {
  const interrupt = new AbortController();
  // Ctrl+C is Claude Code's own key (it interrupts a turn); SIGTERM/SIGHUP (kill, a closed terminal) end the
  // session, Claude Code included — and with --modal, the GPU app must still be stopped.
  const terminate = new AbortController();
  const unsubscribe = deps.onInterrupt((signal) => {
    interrupt.abort();
    if (signal !== "SIGINT") terminate.abort();
  });
  let deployed: EndpointSpec | undefined;
  let proxy: RunningProxy | undefined;
  let mcpConfig: McpConfigFile | undefined;
  try {
    let baseUrl = plan.upstream.baseUrl;
    if (plan.ephemeral) {
      const { spec, apiKey } = plan.ephemeral;
      deps.err(`Deploying ${spec.model} to Modal as ${spec.appName} (the first start builds the image and loads the weights: minutes)\n`);
      deployed = spec; // from here on, whatever happens, the app is stopped at the end
      deps.logger.log("info", "ephemeral deploy", { app: spec.appName, model: spec.model, gpu: spec.gpu });
      const result = await deps.deploy(spec, { apiKey, waitReady: true, onProgress: (l) => deps.err(`  ${l}\n`), signal: interrupt.signal });
      baseUrl = result.openaiBaseUrl;
      deps.err(`Endpoint ready: ${result.url}\n`);
    }
    if (interrupt.signal.aborted) return INTERRUPTED;
    if (baseUrl === undefined) throw new Error("internal: no upstream URL");

    proxy = await deps.startProxy({
      dialect: deps.dialectFor(plan.proxy.dialect),
      port: plan.proxy.port,
      token: plan.proxy.token,
      logger: deps.logger,
      coldStart: { deadlineMs: plan.proxy.coldStartTimeoutMs },
      upstream: {
        baseUrl,
        model: plan.upstream.model,
        ...(plan.upstream.apiKey ? { apiKey: plan.upstream.apiKey } : {}),
        ...(plan.upstream.maxModelLen ? { maxModelLen: plan.upstream.maxModelLen } : {}),
        ...(plan.upstream.modalProxy ? { modalKey: plan.upstream.modalProxy.key, modalSecret: plan.upstream.modalProxy.secret } : {}),
      },
      ...(plan.vision?.describeWith ? { images: await deps.imageDescriber(plan.vision.describeWith) } : {}),
    });
    deps.logger.log("info", "proxy started", { port: proxy.port, dialect: plan.proxy.dialect, upstreamHost: new URL(baseUrl).host, model: plan.upstream.model });
    // vlm-analyzer's env carries the VLM's key: it goes to Claude Code in a private file, never in argv
    if (plan.vision) mcpConfig = await writeMcpConfig(plan.vision.mcpServer);
    const v = plan.vision;
    deps.err(
      `Proxy running on ${proxy.url} (${plan.proxy.dialect} dialect)\nForwarding to: ${baseUrl}\nModel: ${plan.upstream.model}\n` +
        `Vision: ${v ? `vlm-analyzer MCP server${v.describeWith ? "; images are described by the vision model" : ""}` : `off (${plan.visionOff})`}\n` +
        (deps.logFile ? `Logs: ${deps.logFile}\n` : ""),
    );

    if (!plan.claude) {
      const extra = plan.target === "coder" ? coderClaudeEnv(plan.upstream.model, plan.upstream.maxModelLen) : {};
      deps.out(`To run Claude Code:\n  ${claudeHint(proxy.url, plan.proxy.token, extra, mcpConfig?.path)}\n`);
      deps.err(plan.ephemeral ? "Press Ctrl+C to stop the proxy and the Modal app.\n" : "Press Ctrl+C to stop the proxy.\n");
      if (!interrupt.signal.aborted) await new Promise<void>((resolve) => interrupt.signal.addEventListener("abort", () => resolve(), { once: true }));
      deps.err("\nExiting...\n");
      return 0;
    }
    // Ctrl+C reaches Claude Code too (same terminal): it decides when to quit, we wait for its exit code.
    // one argument: `--mcp-config` takes several values, and a prompt after it would be read as another config
    const args = mcpConfig ? [`--mcp-config=${mcpConfig.path}`, ...plan.claude.args] : plan.claude.args;
    const code = await deps.runClaude(plan.claude.bin, args, claudeEnv(deps.env, proxy.url, plan.proxy.token, plan.claude.env), terminate.signal);
    deps.logger.log("info", "claude code exited", { exitCode: code });
    return code;
  } catch (e) {
    return interruptedOr(e, interrupt.signal, deps);
  } finally {
    unsubscribe();
    await proxy?.close();
    await mcpConfig?.remove();
    if (deployed) {
      deps.err(`Stopping Modal app ${deployed.appName}...\n`);
      try {
        await deps.stop(deployed, { onProgress: (l) => deps.err(`  ${l}\n`) });
        deps.err("Modal app stopped.\n");
        deps.logger.log("info", "ephemeral stopped", { app: deployed.appName });
      } catch (e) {
        deps.err(`Could not stop Modal app ${deployed.appName}: ${(e as Error).message}\nStop it with: modal app stop ${deployed.appName} --yes\n`);
        deps.logger.log("error", "ephemeral stop failed", { app: deployed.appName });
      }
    }
  }
}

async function runDeploy(plan: DeployPlan, deps: RunnerDeps): Promise<number> {
  const interrupt = new AbortController();
  const unsubscribe = deps.onInterrupt(() => interrupt.abort());
  try {
    deps.err(`Deploying ${plan.spec.model} to Modal as ${plan.spec.appName}\n`);
    const r = await deps.deploy(plan.spec, { apiKey: plan.apiKey.value, waitReady: false, onProgress: (l) => deps.err(`  ${l}\n`), signal: interrupt.signal });
    deps.logger.log("info", "persistent deploy", { app: r.appName });
    deps.out(
      `SERA endpoint deployed (Modal app ${r.appName}).\n` +
        `  URL:     ${r.openaiBaseUrl}\n  API key: ${plan.apiKey.value}\n` +
        `Share both with your team; each member runs:\n  SERA_ENDPOINT=${r.openaiBaseUrl} SERA_API_KEY=<the key> npx sera\n` +
        `It scales to zero when idle; stop it with: npx sera stop\n`,
    );
    return 0;
  } catch (e) {
    return interruptedOr(e, interrupt.signal, deps);
  } finally {
    unsubscribe();
  }
}

async function runStop(plan: StopPlan, deps: RunnerDeps): Promise<number> {
  await deps.stop(plan.spec, { onProgress: (l) => deps.err(`  ${l}\n`) });
  deps.logger.log("info", "persistent stop", { app: plan.spec.appName });
  deps.out(`Stopped Modal app ${plan.spec.appName}.\n`);
  return 0;
}

/** Runs the plan; resolves with the process exit code. Errors propagate (main turns them into a message). */
export async function runPlan(plan: Plan, deps: RunnerDeps): Promise<number> {
  if (plan.kind === "help") {
    deps.out(plan.text + "\n");
    return 0;
  }
  if (plan.dryRun) {
    deps.out(describePlan(plan) + "\n");
    return 0;
  }
  switch (plan.kind) {
    case "session":
      return runSession(plan, deps);
    case "deploy":
      return runDeploy(plan, deps);
    case "stop":
      return runStop(plan, deps);
  }
}
