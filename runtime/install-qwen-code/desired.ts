// What the installer wants in ~/.qwen/settings.json, computed from the stack outputs alone (pure).
// Each entry is one value the installer owns; everything else in the file belongs to the user.
import type { JsonPath } from "./json-path.ts";
import type { StackOutputs } from "./outputs.ts";
import { PRIVACY_ENV, PRIVACY_SETTINGS } from "./privacy.ts";

/** qwen rewrites (and "migrates") a settings file that does not carry this version. */
export const SETTINGS_VERSION = 4;
export const MCP_SERVER_NAME = "vlm-analyzer";
/** Settings `env` key holding the coder's API key; the provider entry names it as its envKey. */
export const CODER_KEY_ENV = "CODING_AGENT_SERVER_CODER_API_KEY";
/** vLLM without --api-key accepts any key, but qwen refuses to start without one ("EMPTY" is vLLM's convention). */
export const NO_KEY = "EMPTY";

// qwen's OpenAI client gives up after 120 s by default; the first request to a scaled-to-zero Modal vLLM waits
// for the container to start and load the weights.
export const CODER_REQUEST_TIMEOUT_MS = 15 * 60_000;
// qwen's MCP call timeout must outlast the server's own VLM budget (VLM_TIMEOUT, default 300 s, which already
// covers a cold start with retries) so the server's clear timeout error reaches the model instead of a cut call.
const DEFAULT_VLM_TIMEOUT_S = 300;
const MCP_TIMEOUT_MARGIN_MS = 60_000;

export interface ModalProxyCredentials {
  readonly tokenId: string;
  readonly tokenSecret: string;
}

export interface DesiredEntry {
  readonly path: JsonPath;
  readonly value: unknown;
}

export interface DesiredInput {
  readonly outputs: StackOutputs;
  /** Modal proxy-auth token, when the endpoints require it. */
  readonly modalProxy?: ModalProxyCredentials;
}

export function mcpTimeoutMs(vlmTimeoutSeconds: string | undefined): number {
  const seconds = Number(vlmTimeoutSeconds);
  const budget = Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_VLM_TIMEOUT_S;
  return Math.ceil(budget * 1000) + MCP_TIMEOUT_MARGIN_MS;
}

export function desiredEntries({ outputs, modalProxy }: DesiredInput): DesiredEntry[] {
  const { coder, vlmMcpServer } = outputs;
  const proxyHeaders = modalProxy ? { "Modal-Key": modalProxy.tokenId, "Modal-Secret": modalProxy.tokenSecret } : undefined;
  const provider = {
    id: coder.model,
    name: `${coder.model} (coding-agent-server)`,
    baseUrl: coder.baseUrl,
    envKey: CODER_KEY_ENV,
    description: "Coder endpoint of the coding-agent-server stack (written by install-qwen-code)",
    generationConfig: {
      timeout: CODER_REQUEST_TIMEOUT_MS,
      ...(proxyHeaders ? { customHeaders: proxyHeaders } : {}),
    },
  };
  const entries: DesiredEntry[] = [
    { path: ["$version"], value: SETTINGS_VERSION },
    { path: ["modelProviders", "openai", { id: coder.model }], value: provider },
    { path: ["env", CODER_KEY_ENV], value: coder.apiKey ?? NO_KEY },
    { path: ["security", "auth", "selectedType"], value: "openai" },
    { path: ["model", "name"], value: coder.model },
  ];
  if (vlmMcpServer) {
    const env: Record<string, string> = { ...vlmMcpServer.env };
    if (modalProxy) {
      env["MODAL_PROXY_TOKEN_ID"] ??= modalProxy.tokenId;
      env["MODAL_PROXY_TOKEN_SECRET"] ??= modalProxy.tokenSecret;
    }
    entries.push({
      path: ["mcpServers", MCP_SERVER_NAME],
      value: {
        command: vlmMcpServer.command,
        args: vlmMcpServer.args,
        env,
        timeout: mcpTimeoutMs(env["VLM_TIMEOUT"]),
        // Without trust, headless runs refuse the call ("non-interactive mode cannot prompt for confirmation").
        trust: true,
        description: "Image analysis by the stack's vision model (coding-agent-server)",
      },
    });
  }
  for (const control of PRIVACY_SETTINGS) entries.push({ path: control.path, value: control.value });
  for (const [key, value] of Object.entries(PRIVACY_ENV)) entries.push({ path: ["env", key], value });
  return entries;
}

/** Modal proxy credentials from the install-time environment, falling back to the MCP registration's env. */
export function modalProxyFrom(env: Readonly<Record<string, string | undefined>>, outputs: StackOutputs): ModalProxyCredentials | undefined {
  const mcpEnv = outputs.vlmMcpServer?.env ?? {};
  const tokenId = env["MODAL_PROXY_TOKEN_ID"] || mcpEnv["MODAL_PROXY_TOKEN_ID"];
  const tokenSecret = env["MODAL_PROXY_TOKEN_SECRET"] || mcpEnv["MODAL_PROXY_TOKEN_SECRET"];
  if (!tokenId && !tokenSecret) return undefined;
  if (!tokenId || !tokenSecret) {
    throw new Error("Modal proxy credentials are incomplete: set both MODAL_PROXY_TOKEN_ID and MODAL_PROXY_TOKEN_SECRET (or neither)");
  }
  return { tokenId, tokenSecret };
}
