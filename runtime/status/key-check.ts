// Whether the stack's key opens an endpoint: GET /v1/models with it, as every client does. The request wakes a
// scaled-to-zero endpoint (a GPU is billed from then on), so it only runs when the user asks (--check-keys),
// and it waits through a cold start up to the endpoint's own startupTimeout, with progress.
import type { EndpointSpec } from "../../components/endpoint-spec.ts";
import { waitUntilReady } from "../../components/modal/runner.ts";
import type { EndpointOutput, KeyCheck } from "./report.ts";

export interface KeyCheckOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fetch?: typeof fetch;
  readonly onProgress: (line: string) => void;
  /** default: the spec's startupTimeout */
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
}

export async function checkKey(spec: EndpointSpec, output: EndpointOutput | undefined, opts: KeyCheckOptions): Promise<KeyCheck> {
  if (!output) return { result: "skipped", detail: "no stack output to take the URL and key from" };
  const env = opts.env;
  if (spec.requiresProxyAuth && !(env["MODAL_PROXY_TOKEN_ID"] && env["MODAL_PROXY_TOKEN_SECRET"])) {
    return { result: "skipped", detail: "the endpoint requires Modal proxy auth: set MODAL_PROXY_TOKEN_ID and MODAL_PROXY_TOKEN_SECRET" };
  }
  const base = output.baseUrl.replace(/\/v1\/?$/, "");
  const timeoutMs = opts.timeoutMs ?? spec.scaling.startupTimeout * 1000;
  opts.onProgress(`${spec.name}: GET ${base}/v1/models with the stack's key (wakes the GPU if it is scaled to zero; a cold start takes minutes, up to ${Math.round(timeoutMs / 1000)}s)`);
  try {
    await waitUntilReady(base, {
      env: { ...env } as NodeJS.ProcessEnv,
      ...(output.apiKey ? { apiKey: output.apiKey } : {}),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      timeoutMs,
      ...(opts.intervalMs ? { intervalMs: opts.intervalMs } : {}),
      onProgress: (line) => opts.onProgress(`${spec.name}: ${line}`),
    });
  } catch (e) {
    return { result: "fails", detail: (e as Error).message };
  }
  return { result: "works", detail: output.apiKey ? "/v1/models answered 200 with the stack's key" : "/v1/models answered 200; the stack has no key for it" };
}
