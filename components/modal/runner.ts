// Drives the `modal` CLI for one endpoint: used by the Pulumi component (through deploy.ts) and by `sera`.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import type { EndpointSpec } from "../endpoint-spec.ts";
import { modalCredentialsProblem } from "./credentials.ts";
import { findOnPath } from "../../lib/which.ts";

const here = dirname(fileURLToPath(import.meta.url));
export const APP_FILE = join(here, "vllm_app.py");
const WEB_URL_SCRIPT = join(here, "web_url.py");

export interface DeployResult {
  readonly appName: string;
  readonly functionName: string;
  readonly url: string;
  readonly openaiBaseUrl: string;
  readonly ready: boolean;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly onProgress?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface DeployOptions extends RunOptions {
  /** the vLLM API key (required when spec.secrets.apiKey names a secret) */
  readonly apiKey?: string;
  readonly waitReady?: boolean;
  readonly readyTimeoutMs?: number;
  readonly fetch?: typeof fetch;
}

export class ModalError extends Error {
  override name = "ModalError";
}

const envFlag = (spec: Pick<EndpointSpec, "environment">) => (spec.environment ? ["-e", spec.environment] : []);

async function modal(args: string[], opts: RunOptions & { extraEnv?: Record<string, string> }) {
  const env = { ...(opts.env ?? process.env), ...opts.extraEnv };
  const bin = env.MODAL_BIN ?? "modal";
  const child = execa(bin, args, { env, extendEnv: false, reject: false, all: true, cancelSignal: opts.signal, stdin: "ignore" });
  child.all?.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split(/\r?\n/)) if (line.trim()) opts.onProgress?.(line);
  });
  const r = await child;
  if (r.isCanceled) throw new ModalError(`modal ${args[0]} cancelled`);
  if (r.failed && r.exitCode === undefined) throw new ModalError(`could not run ${bin}: ${r.shortMessage}. Install the Modal CLI (npm run setup creates .venv with it).`);
  return { code: r.exitCode ?? 1, output: String(r.all ?? "").trim() };
}

/** The python that has the modal SDK: the interpreter beside the `modal` executable (a venv's bin dir). */
function modalPython(env: NodeJS.ProcessEnv): string {
  const bin = env.MODAL_BIN ?? findOnPath("modal", env.PATH);
  if (!bin) throw new ModalError("modal CLI not found on PATH");
  return join(dirname(bin), "python");
}

export async function deployEndpoint(spec: EndpointSpec, opts: DeployOptions = {}): Promise<DeployResult> {
  const env = opts.env ?? process.env;
  const problem = modalCredentialsProblem(env);
  if (problem) throw new ModalError(problem);
  const progress = opts.onProgress ?? (() => {});

  if (spec.secrets.apiKey) {
    if (!opts.apiKey) throw new ModalError(`${spec.name}: the spec expects an API key but none was given`);
    // --from-json of a private temp file: values on argv would be visible in `ps`
    const dir = mkdtempSync(join(tmpdir(), "cas-secret-"));
    const file = join(dir, "secret.json");
    try {
      writeFileSync(file, JSON.stringify({ VLLM_API_KEY: opts.apiKey }), { mode: 0o600 });
      chmodSync(file, 0o600);
      progress(`creating Modal secret ${spec.secrets.apiKey}`);
      const r = await modal(["secret", "create", spec.secrets.apiKey, "--from-json", file, "--force", ...envFlag(spec)], { ...opts, onProgress: undefined });
      if (r.code !== 0) throw new ModalError(`modal secret create ${spec.secrets.apiKey} failed:\n${r.output}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  progress(`modal deploy ${spec.appName} (${spec.model} on ${spec.gpu})`);
  const deploy = await modal(["deploy", APP_FILE, "--name", spec.appName, ...envFlag(spec)], { ...opts, extraEnv: { ENDPOINT_SPEC: JSON.stringify(spec) } });
  if (deploy.code !== 0) throw new ModalError(`modal deploy ${spec.appName} failed:\n${deploy.output}`);

  const lookup = await execa(modalPython(env), [WEB_URL_SCRIPT, spec.appName, spec.functionName, spec.environment ?? ""], { env, extendEnv: false, reject: false, all: true, cancelSignal: opts.signal });
  const url = String(lookup.stdout ?? "").trim().split("\n").pop() ?? "";
  if (lookup.exitCode !== 0 || !/^https?:\/\//.test(url)) throw new ModalError(`deployed ${spec.appName}, but could not read its web URL:\n${String(lookup.all ?? "").trim()}`);

  const base = url.replace(/\/+$/, "");
  let ready = false;
  if (opts.waitReady ?? spec.waitForReady) {
    await waitUntilReady(base, { ...opts, timeoutMs: opts.readyTimeoutMs ?? spec.scaling.startupTimeout * 1000 });
    ready = true;
  }
  return { appName: spec.appName, functionName: spec.functionName, url: base, openaiBaseUrl: `${base}/v1`, ready };
}

export interface ReadyOptions extends DeployOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
}

/** Polls /v1/models until it answers 200: a cold start pulls the image and loads weights (minutes). */
export async function waitUntilReady(baseUrl: string, opts: ReadyOptions): Promise<void> {
  const env = opts.env ?? process.env;
  const doFetch = opts.fetch ?? fetch;
  const headers: Record<string, string> = {};
  if (opts.apiKey) headers.Authorization = `Bearer ${opts.apiKey}`;
  if (env.MODAL_PROXY_TOKEN_ID && env.MODAL_PROXY_TOKEN_SECRET) Object.assign(headers, { "Modal-Key": env.MODAL_PROXY_TOKEN_ID, "Modal-Secret": env.MODAL_PROXY_TOKEN_SECRET });
  const started = Date.now();
  let last = "no answer yet";
  while (Date.now() - started < opts.timeoutMs) {
    if (opts.signal?.aborted) throw new ModalError("waiting for readiness cancelled");
    try {
      const res = await doFetch(`${baseUrl}/v1/models`, { headers, signal: AbortSignal.timeout(Math.min(60_000, opts.timeoutMs)) });
      if (res.ok) {
        opts.onProgress?.(`ready after ${Math.round((Date.now() - started) / 1000)}s`);
        return;
      }
      last = `HTTP ${res.status}`;
      if (res.status === 401 || res.status === 403) throw new ModalError(`${baseUrl}/v1/models answered ${res.status}: check the API key / Modal proxy token`);
    } catch (e) {
      if (e instanceof ModalError) throw e;
      last = (e as Error).message;
    }
    opts.onProgress?.(`waiting for ${baseUrl} (cold start: image pull + weight load) … ${Math.round((Date.now() - started) / 1000)}s, last: ${last}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 10_000));
  }
  throw new ModalError(`${baseUrl} did not become ready within ${Math.round(opts.timeoutMs / 1000)}s (last: ${last})`);
}

/** Stops the app and removes its API-key secret. An app that is already stopped (or gone) is not an error. */
export async function stopEndpoint(spec: Pick<EndpointSpec, "appName" | "environment" | "secrets">, opts: RunOptions = {}): Promise<{ alreadyStopped: boolean }> {
  const r = await modal(["app", "stop", spec.appName, "--yes", ...envFlag(spec)], opts);
  const alreadyStopped = r.code !== 0 && /already stopped|could not find|not found/i.test(r.output);
  if (r.code !== 0 && !alreadyStopped) throw new ModalError(`modal app stop ${spec.appName} failed:\n${r.output}`);
  if (alreadyStopped) opts.onProgress?.(`${spec.appName} was already stopped`);
  if (spec.secrets.apiKey) {
    const s = await modal(["secret", "delete", spec.secrets.apiKey, "--yes", "--allow-missing", ...envFlag(spec)], opts);
    if (s.code !== 0) throw new ModalError(`modal secret delete ${spec.secrets.apiKey} failed:\n${s.output}`);
  }
  return { alreadyStopped };
}
