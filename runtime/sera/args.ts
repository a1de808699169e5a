// `sera` argv → what the user asked for (no defaults, no env: those are layered in settings.ts).
import { parseArgs } from "node:util";

export type Command = "run" | "deploy" | "stop" | "help";
export type DialectName = "native" | "swe-agent";
export const DIALECTS: readonly DialectName[] = ["native", "swe-agent"];

/** Flags exactly as given; undefined = not given. */
export interface CliArgs {
  readonly command: Command;
  readonly endpoint?: string;
  /** a session on the stack's coder endpoint instead of SERA */
  readonly coder: boolean;
  /** the stack outputs as JSON (what `pulumi stack output --json --show-secrets` prints) instead of asking Pulumi */
  readonly outputs?: string;
  /** false: no vlm-analyzer registration, no image descriptions */
  readonly vision: boolean;
  readonly proxyOnly: boolean;
  readonly port?: number;
  readonly model?: string;
  readonly dialect?: DialectName;
  readonly modal: boolean;
  readonly hfSecret?: string;
  readonly stack?: string;
  readonly dryRun: boolean;
  /** --cold-start-timeout, in seconds: how long the proxy waits for a starting endpoint */
  readonly coldStartTimeout?: number;
  /** everything after `--`: passed to Claude Code */
  readonly claudeArgs: readonly string[];
}

export class UsageError extends Error {
  override name = "UsageError";
}

export const USAGE = `Usage:
  sera --endpoint URL [options]      start the proxy and Claude Code on a SERA (or other vLLM) endpoint
  sera --coder [options]             Claude Code on the stack's coder endpoint (native tools; URL, model, key and
                                     context length from the stack)
  sera --modal [options]             deploy an ephemeral SERA endpoint on Modal, use it, stop it on exit
  sera deploy [--stack S]            deploy the persistent, shared SERA endpoint (prints URL and API key)
  sera stop [--stack S]              stop the persistent SERA endpoint

Options:
  --endpoint URL     vLLM OpenAI base (…/v1) or full …/v1/chat/completions URL   [env SERA_ENDPOINT]
  --coder            use the stack's coder (its coder output; native dialect, Claude Code's models all on it)
  --outputs FILE     read the stack outputs from FILE (JSON of: pulumi stack output --json --show-secrets)
  --no-vision        do not register vlm-analyzer with Claude Code nor describe images for a text-only model
  --proxy-only       start only the proxy and print how to start Claude Code
  --port N           proxy port on 127.0.0.1 (default 8080)
  --model NAME       upstream model name (default allenai/SERA-32B)                [env SERA_MODEL]
  --dialect D        tool dialect: swe-agent (default for SERA) or native (default with --coder)
  --modal            deploy the endpoint for this session only (Modal credentials needed)
  --hf-secret NAME   Modal secret with HF_TOKEN for gated/private models           [env SERA_HF_SECRET]
  --stack NAME       Pulumi stack whose config/outputs to use (default dev)        [env SERA_STACK]
  --cold-start-timeout S
                     seconds a request waits for an endpoint that is starting, i.e. refuses
                     connections or answers 502/503/504 (default 600); one that accepts and
                     resets connections is answered with an error after 3 retries instead
  --dry-run          print the plan and exit
  -- ARGS…           passed to Claude Code
Environment:
  SERA_API_KEY       the endpoint's vLLM API key (else the stack outputs' key, for the stack's own endpoint only)
  SERA_PROXY_TOKEN   the token Claude Code must present to the proxy (default: a fresh random one per run)
  MODAL_PROXY_TOKEN_ID / MODAL_PROXY_TOKEN_SECRET   Modal proxy auth for endpoints that require it
  XDG_STATE_HOME     logs go to $XDG_STATE_HOME/coding-agent-server/sera.log (default ~/.local/state/…)
Vision: when the stack outputs are read (the stack's own sera or coder, or --outputs), Claude Code gets the
  vlm-analyzer MCP server (vlmMcpServer output), and images sent to a model without vision (SERA, the coder)
  reach it as the vision model's description.`;

function port(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 0 || n > 65535) throw new UsageError(`--port: expected a port number 0-65535, got "${v}"`);
  return n;
}

function seconds(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || n <= 0) throw new UsageError(`--cold-start-timeout: expected a positive number of seconds, got "${v}"`);
  return n;
}

function dialect(v: string | undefined): DialectName | undefined {
  if (v === undefined) return undefined;
  if (!(DIALECTS as readonly string[]).includes(v)) throw new UsageError(`--dialect: expected one of ${DIALECTS.join(", ")}, got "${v}"`);
  return v as DialectName;
}

export function parseCli(argv: readonly string[]): CliArgs {
  const sep = argv.indexOf("--");
  const own = sep === -1 ? [...argv] : argv.slice(0, sep);
  const claudeArgs = sep === -1 ? [] : argv.slice(sep + 1);
  let parsed;
  try {
    parsed = parseArgs({
      args: own,
      allowPositionals: true,
      strict: true,
      options: {
        endpoint: { type: "string" },
        coder: { type: "boolean" },
        outputs: { type: "string" },
        "no-vision": { type: "boolean" },
        "proxy-only": { type: "boolean" },
        port: { type: "string" },
        model: { type: "string" },
        dialect: { type: "string" },
        modal: { type: "boolean" },
        "hf-secret": { type: "string" },
        stack: { type: "string" },
        "dry-run": { type: "boolean" },
        "cold-start-timeout": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const sub = positionals[0];
  if (sub !== undefined && sub !== "deploy" && sub !== "stop") throw new UsageError(`unknown command "${sub}": expected deploy or stop`);
  const command: Command = v.help ? "help" : sub ?? "run";
  const args: CliArgs = {
    command,
    endpoint: v.endpoint,
    coder: v.coder ?? false,
    outputs: v.outputs,
    vision: !(v["no-vision"] ?? false),
    proxyOnly: v["proxy-only"] ?? false,
    port: port(v.port),
    model: v.model,
    dialect: dialect(v.dialect),
    modal: v.modal ?? false,
    hfSecret: v["hf-secret"],
    stack: v.stack,
    dryRun: v["dry-run"] ?? false,
    coldStartTimeout: seconds(v["cold-start-timeout"]),
    claudeArgs,
  };
  if (args.modal && args.endpoint !== undefined) throw new UsageError("--modal and --endpoint exclude each other: --modal deploys its own endpoint");
  if (args.coder) {
    const other: string[] = (["endpoint", "model", "hfSecret"] as const).filter((k) => args[k] !== undefined).map((k) => (k === "hfSecret" ? "hf-secret" : k));
    if (args.modal) other.push("modal");
    if (other.length > 0) throw new UsageError(`--coder takes the coder's URL and model from the stack: it does not go with --${other.join(", --")}`);
  }
  if (command === "deploy" || command === "stop") {
    const runOnly: string[] = (["endpoint", "port", "dialect"] as const).filter((k) => args[k] !== undefined);
    if (args.coldStartTimeout !== undefined) runOnly.push("cold-start-timeout");
    if (args.coder) runOnly.push("coder");
    if (args.proxyOnly) runOnly.push("proxy-only");
    if (args.modal) runOnly.push("modal");
    if (runOnly.length > 0) throw new UsageError(`sera ${command} does not take --${runOnly.join(", --")}`);
  }
  return args;
}
