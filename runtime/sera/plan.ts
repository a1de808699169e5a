// argv + env + gathered facts → a typed plan. Pure: every input arrives as an argument (randomness too),
// so each decision is unit-tested and `--dry-run` prints exactly what would run.
import type { EndpointConfig, VllmEndpointArgs } from "../../components/endpoint-args.ts";
import { architectureFor, buildEndpoint, contextLength, defaultAppName, type EndpointSpec } from "../../components/endpoint-spec.ts";
import { MODEL_CATALOG } from "../../components/model-catalog.ts";
import { USAGE, UsageError, type CliArgs, type DialectName } from "./args.ts";
import {
  DEFAULT_MAX_MODEL_LEN, DEFAULT_MODEL, normalizeEndpoint, resolveSettings, type McpServerRegistration, type SeraEnv, type Settings, type Sourced,
  type StackSeraOutput,
} from "./settings.ts";

export interface Facts {
  /** the stack's `sera` output, when it was looked up and exists */
  readonly stackOutput?: StackSeraOutput;
  /** why the stack outputs could not be used (shown when no endpoint is known) */
  readonly stackOutputProblem?: string;
  /** the stack's `sera` endpoint config (Pulumi.<stack>.yaml), the one definition Modal deploys from */
  readonly seraConfig?: EndpointConfig;
  readonly seraConfigProblem?: string;
  /** the stack's `coder` output and config (--coder) */
  readonly coderOutput?: StackSeraOutput;
  readonly coderOutputProblem?: string;
  readonly coderConfig?: EndpointConfig;
  readonly coderConfigProblem?: string;
  /** the stack's `vlmMcpServer` output: vlm-analyzer for Claude Code, and the VLM that describes images */
  readonly vlmMcpServer?: McpServerRegistration;
  readonly vlmMcpServerProblem?: string;
  readonly project: string;
  /** the Claude Code executable (the project's node_modules/.bin/claude, else `claude` on PATH) */
  readonly claudeBin: string;
  /** a fresh random token (url-safe); called once per secret */
  readonly random: () => string;
}

export interface Upstream {
  /** OpenAI base URL (…/v1); undefined for --modal until the deployment reports it */
  readonly baseUrl?: string;
  readonly apiKey?: string;
  readonly model: string;
  readonly maxModelLen?: number;
  readonly modalProxy?: { readonly key: string; readonly secret: string };
}

/** What the session gets from the stack's vision model. */
export interface Vision {
  /** registered with Claude Code as the MCP server `vlm-analyzer` */
  readonly mcpServer: McpServerRegistration;
  /** set when the upstream model has no vision: the proxy describes images with the VLM this env names */
  readonly describeWith?: Readonly<Record<string, string>>;
}

export interface SessionPlan {
  readonly kind: "session";
  /** whose endpoint: SERA's (--endpoint, the stack's sera, --modal) or the stack's coder (--coder) */
  readonly target: "sera" | "coder";
  readonly settings: Settings;
  readonly upstream: Upstream;
  /** --modal: deploy this spec for the session and stop it afterwards */
  readonly ephemeral?: { readonly spec: EndpointSpec; readonly apiKey: string };
  readonly proxy: { readonly port: number; readonly dialect: DialectName; readonly token: string; readonly coldStartTimeoutMs: number };
  /** undefined with --proxy-only; env: settings for Claude Code beyond the proxy's URL and token */
  readonly claude?: { readonly bin: string; readonly args: readonly string[]; readonly env: Readonly<Record<string, string>> };
  readonly vision?: Vision;
  /** why there is no vision, when there is none */
  readonly visionOff?: string;
  readonly dryRun: boolean;
}

export interface DeployPlan {
  readonly kind: "deploy";
  readonly spec: EndpointSpec;
  readonly apiKey: Sourced<string>;
  readonly dryRun: boolean;
}

export interface StopPlan {
  readonly kind: "stop";
  readonly spec: EndpointSpec;
  readonly dryRun: boolean;
}

export type Plan = { readonly kind: "help"; readonly text: string } | SessionPlan | DeployPlan | StopPlan;

/** Does the plan need the stack outputs looked up? (A session with no endpoint from CLI/env, or on the coder.) */
export function needsStackOutputs(cli: CliArgs, env: SeraEnv): boolean {
  if (cli.command === "deploy") return env.SERA_API_KEY === undefined;
  return cli.command === "run" && (cli.coder || (!cli.modal && !cli.endpoint && !env.SERA_ENDPOINT));
}

/** Does the upstream model see images? The catalog says so for the stack's model; unknown models are text-only. */
export function modelHasVision(model: string, config: EndpointConfig | undefined): boolean {
  if (config && (config.servedModelName ?? config.model) === model) return architectureFor(config)?.vision === true;
  return MODEL_CATALOG[model]?.vision === true;
}

/**
 * Claude Code on the coder: every model it picks (main, opus/sonnet/haiku aliases, the small/fast model for
 * titles and summaries, subagents) is the coder's served model, and its context window is the coder's, so
 * auto-compaction happens before vLLM's limit (for a model name it does not know, Claude Code assumes 1M).
 * These are the names Claude Code 2.1.330 reads (its model resolution: ANTHROPIC_SMALL_FAST_MODEL, else
 * ANTHROPIC_DEFAULT_HAIKU_MODEL; CLAUDE_CODE_MAX_CONTEXT_TOKENS for non-Claude models; ENABLE_TOOL_SEARCH).
 */
export function coderClaudeEnv(model: string, maxModelLen: number | undefined): Record<string, string> {
  const env: Record<string, string> = {
    ANTHROPIC_MODEL: model,
    ANTHROPIC_DEFAULT_OPUS_MODEL: model,
    ANTHROPIC_DEFAULT_SONNET_MODEL: model,
    ANTHROPIC_DEFAULT_HAIKU_MODEL: model,
    ANTHROPIC_SMALL_FAST_MODEL: model,
    CLAUDE_CODE_SUBAGENT_MODEL: model,
    // every tool's schema up front (vlm-analyzer's included), not deferred behind ToolSearch: loading schemas on
    // demand is a protocol Claude models are trained for, the coder is not
    ENABLE_TOOL_SEARCH: "false",
  };
  if (maxModelLen !== undefined) env.CLAUDE_CODE_MAX_CONTEXT_TOKENS = String(maxModelLen);
  return env;
}

function visionFor(cli: CliArgs, facts: Facts, upstreamSees: boolean): { vision?: Vision; visionOff?: string } {
  if (!cli.vision) return { visionOff: "--no-vision" };
  if (!facts.vlmMcpServer) {
    return { visionOff: facts.vlmMcpServerProblem ?? "the stack outputs were not read (an endpoint from --endpoint/SERA_ENDPOINT or --modal; add --outputs FILE for vision)" };
  }
  return { vision: { mcpServer: facts.vlmMcpServer, ...(upstreamSees ? {} : { describeWith: facts.vlmMcpServer.env }) } };
}

/** The stack's coder as the upstream: URL, served model and key from its output, context and proxy auth from its config. */
function coderUpstream(env: Readonly<Record<string, string | undefined>>, facts: Facts, stack: string): Upstream {
  const out = facts.coderOutput;
  if (!out) {
    throw new UsageError(`--coder needs the coder output of stack "${stack}"${facts.coderOutputProblem ? ` (${facts.coderOutputProblem})` : ""}: ` +
      "deploy it with `npm run up`, or pass --outputs FILE");
  }
  const config = facts.coderConfig;
  const model = out.model ?? (config ? config.servedModelName ?? config.model : undefined);
  if (!model) throw new UsageError(`--coder: the coder output of stack "${stack}" has no model and Pulumi.${stack}.yaml has no coder config`);
  let modalProxy: Upstream["modalProxy"];
  if (config?.requiresProxyAuth) {
    const id = env.MODAL_PROXY_TOKEN_ID || facts.vlmMcpServer?.env.MODAL_PROXY_TOKEN_ID;
    const secret = env.MODAL_PROXY_TOKEN_SECRET || facts.vlmMcpServer?.env.MODAL_PROXY_TOKEN_SECRET;
    if (!id || !secret) {
      throw new UsageError(`the coder endpoint of stack "${stack}" requires Modal proxy auth (requiresProxyAuth): set MODAL_PROXY_TOKEN_ID and ` +
        "MODAL_PROXY_TOKEN_SECRET, or the stack secrets modalProxyTokenId / modalProxyTokenSecret and run `npm run up`");
    }
    modalProxy = { key: id, secret };
  }
  return {
    baseUrl: normalizeEndpoint(out.baseUrl),
    ...(out.apiKey ? { apiKey: out.apiKey } : {}),
    model,
    ...(config ? { maxModelLen: contextLength("coder", config) } : {}),
    ...(modalProxy ? { modalProxy } : {}),
  };
}

function endpointArgs(config: EndpointConfig, settings: Settings): VllmEndpointArgs {
  const { enabled: _enabled, ...args } = config;
  const model = settings.model.from === "cli" || settings.model.from === "env" ? settings.model.value : args.model;
  const changedModel = model !== args.model;
  return {
    ...args,
    model,
    // a different model is served under its own name (the stack's servedModelName belongs to the stack's model)
    ...(changedModel ? { servedModelName: model, revision: undefined, architecture: undefined } : {}),
    ...(settings.hfSecret ? { hfSecretName: settings.hfSecret.value } : {}),
  };
}

function requireConfig(facts: Facts, stack: string, what: string): EndpointConfig {
  if (!facts.seraConfig) {
    throw new UsageError(`${what} needs the sera endpoint config of stack "${stack}" (Pulumi.${stack}.yaml, key ${facts.project}:sera)` +
      (facts.seraConfigProblem ? `: ${facts.seraConfigProblem}` : ""));
  }
  return facts.seraConfig;
}

export function buildPlan(cli: CliArgs, env: SeraEnv & Readonly<Record<string, string | undefined>>, facts: Facts): Plan {
  if (cli.command === "help") return { kind: "help", text: USAGE };
  const settings = resolveSettings(cli, env, facts.stackOutput);
  const stack = settings.stack.value;

  if (cli.command === "deploy" || cli.command === "stop") {
    const config = requireConfig(facts, stack, `sera ${cli.command}`);
    // An enabled sera endpoint belongs to the Pulumi stack (its key is a stack secret): a second owner would
    // fight over the same Modal app and replace the key the team uses.
    if (config.enabled !== false) {
      throw new UsageError(
        `the sera endpoint of stack "${stack}" is managed by Pulumi (enabled in Pulumi.${stack}.yaml): ` +
          (cli.command === "deploy" ? "deploy it with `npm run up`; its URL and key are in the stack outputs" : "set enabled: false and run `npm run up` to remove it"),
      );
    }
    const apiKey: Sourced<string> = env.SERA_API_KEY
      ? { value: env.SERA_API_KEY, from: "env" }
      : facts.stackOutput?.apiKey
        ? { value: facts.stackOutput.apiKey, from: "stack" }
        : { value: facts.random(), from: "generated" };
    const { spec } = buildEndpoint("sera", endpointArgs(config, settings), { project: facts.project, stack, hasApiKey: true });
    return cli.command === "deploy" ? { kind: "deploy", spec, apiKey, dryRun: cli.dryRun } : { kind: "stop", spec, dryRun: cli.dryRun };
  }

  let upstream: Upstream;
  let ephemeral: SessionPlan["ephemeral"];
  const modalProxy = env.MODAL_PROXY_TOKEN_ID && env.MODAL_PROXY_TOKEN_SECRET
    ? { key: env.MODAL_PROXY_TOKEN_ID, secret: env.MODAL_PROXY_TOKEN_SECRET }
    : undefined;
  if (cli.coder) {
    upstream = coderUpstream(env, facts, stack);
  } else if (cli.modal) {
    const config = requireConfig(facts, stack, "--modal");
    const args = endpointArgs(config, settings);
    // its own app name: ending this session must never stop the team's persistent endpoint
    const appName = `${defaultAppName(facts.project, stack, "sera")}-session-${facts.random().replace(/[^a-z0-9]/gi, "").slice(0, 8).toLowerCase()}`;
    const { spec } = buildEndpoint("sera", { ...args, appName }, { project: facts.project, stack, hasApiKey: true });
    ephemeral = { spec, apiKey: facts.random() };
    upstream = {
      apiKey: ephemeral.apiKey,
      model: spec.servedModelName,
      maxModelLen: args.maxModelLen ?? DEFAULT_MAX_MODEL_LEN,
      ...(spec.requiresProxyAuth && modalProxy ? { modalProxy } : {}),
    };
  } else {
    if (!settings.endpoint) {
      throw new UsageError(
        "no endpoint: pass --endpoint URL, set SERA_ENDPOINT, enable and deploy the stack's sera endpoint, or use --modal" +
          (facts.stackOutputProblem ? ` (stack "${stack}": ${facts.stackOutputProblem})` : ""),
      );
    }
    const configLen = facts.seraConfig && facts.seraConfig.model === settings.model.value ? facts.seraConfig.maxModelLen : undefined;
    upstream = {
      baseUrl: settings.endpoint.value,
      ...(settings.apiKey ? { apiKey: settings.apiKey.value } : {}),
      model: settings.model.value,
      ...(configLen ? { maxModelLen: configLen } : settings.model.value === DEFAULT_MODEL ? { maxModelLen: DEFAULT_MAX_MODEL_LEN } : {}),
      ...(modalProxy ? { modalProxy } : {}),
    };
  }
  const sees = modelHasVision(upstream.model, cli.coder ? facts.coderConfig : facts.seraConfig);
  const claudeExtra = cli.coder ? coderClaudeEnv(upstream.model, upstream.maxModelLen) : {};
  return {
    kind: "session",
    target: cli.coder ? "coder" : "sera",
    settings,
    upstream,
    ...(ephemeral ? { ephemeral } : {}),
    proxy: {
      port: settings.port.value, dialect: settings.dialect.value, token: env.SERA_PROXY_TOKEN || facts.random(),
      coldStartTimeoutMs: settings.coldStartTimeout.value * 1000,
    },
    ...(cli.proxyOnly ? {} : { claude: { bin: facts.claudeBin, args: cli.claudeArgs, env: claudeExtra } }),
    ...visionFor(cli, facts, sees),
    dryRun: cli.dryRun,
  };
}

/**
 * The environment Claude Code runs with: our proxy and its token. A real Anthropic key in the user's
 * environment is removed (Claude Code would send it to the proxy), and nonessential traffic stays off
 * (no telemetry/update calls to anthropic.com from a session that runs on our own model).
 */
export function claudeEnv(
  base: Readonly<Record<string, string | undefined>>, proxyUrl: string, token: string, extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && k !== "ANTHROPIC_API_KEY") env[k] = v;
  Object.assign(env, extra);
  env.ANTHROPIC_BASE_URL = proxyUrl;
  env.ANTHROPIC_AUTH_TOKEN = token;
  env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC ??= "1";
  return env;
}

/** What --proxy-only prints: the command that starts Claude Code on this proxy (with vlm-analyzer when registered). */
export function claudeHint(proxyUrl: string, token: string, extra: Readonly<Record<string, string>> = {}, mcpConfigFile?: string): string {
  const vars = Object.entries(extra).map(([k, v]) => `${k}=${/^[\w./:@-]+$/.test(v) ? v : JSON.stringify(v)} `).join("");
  return `ANTHROPIC_BASE_URL=${proxyUrl} ANTHROPIC_AUTH_TOKEN=${token} CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 ${vars}npx claude` +
    (mcpConfigFile ? ` --mcp-config=${mcpConfigFile}` : "");
}

/** The plan as text for --dry-run; secrets are shown as <set> / <generated>, never their values. */
export function describePlan(plan: Plan): string {
  const secret = (s: Sourced<string> | undefined) => (s ? `<set, from ${s.from}>` : "<none>");
  switch (plan.kind) {
    case "help":
      return plan.text;
    case "deploy":
    case "stop":
      return [
        `sera ${plan.kind}: Modal app ${plan.spec.appName}${plan.spec.environment ? ` (environment ${plan.spec.environment})` : ""}`,
        `  model ${plan.spec.model} on ${plan.spec.gpu}, vLLM ${plan.spec.vllmVersion}`,
        ...(plan.kind === "deploy" ? [`  api key ${secret(plan.apiKey)}`] : []),
      ].join("\n");
    case "session": {
      const s = plan.settings;
      const coder = plan.target === "coder";
      const v = plan.vision;
      return [
        plan.ephemeral
          ? `endpoint: ephemeral Modal app ${plan.ephemeral.spec.appName} (${plan.ephemeral.spec.model} on ${plan.ephemeral.spec.gpu}), stopped on exit`
          : `endpoint: ${plan.upstream.baseUrl} (from ${coder ? "stack coder output" : s.endpoint?.from})`,
        `model: ${plan.upstream.model} (from ${plan.ephemeral ? "stack config" : coder ? "stack coder output" : s.model.from})`,
        `api key: ${plan.ephemeral ? "<generated>" : coder ? (plan.upstream.apiKey ? "<set, from stack>" : "<none>") : secret(s.apiKey)}`,
        `max model len: ${plan.upstream.maxModelLen ?? "unknown (vLLM's context errors drive the retry)"}`,
        ...(plan.upstream.modalProxy ? ["modal proxy auth: <set>"] : []),
        `proxy: 127.0.0.1:${plan.proxy.port} (${plan.proxy.dialect} dialect), waits up to ${s.coldStartTimeout.value} s for a cold start`,
        v ? `vision: vlm-analyzer MCP server for Claude Code; ${v.describeWith ? `images described by ${v.describeWith.VLM_MODEL ?? "the VLM"} (the model has no vision)` : "images passed to the model (it has vision)"}`
          : `vision: off (${plan.visionOff})`,
        ...(plan.claude && Object.keys(plan.claude.env).length > 0 ? [`claude code env: ${Object.entries(plan.claude.env).map(([k, val]) => `${k}=${val}`).join(" ")}`] : []),
        plan.claude ? `then: ${plan.claude.bin} ${plan.claude.args.join(" ")}`.trimEnd() : "then: wait (--proxy-only)",
      ].join("\n");
    }
  }
}
