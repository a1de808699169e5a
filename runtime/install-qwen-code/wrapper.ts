// The `qodal` wrapper script: qwen-code pointed at the stack's coder, rendered as text (pure).
import { createHash } from "node:crypto";
import type { ModalProxyCredentials } from "./desired.ts";
import { PRIVACY_ENV } from "./privacy.ts";

export const WRAPPER_NAME = "qodal";
/** The script holds the API key, so only its owner may read it. */
export const WRAPPER_MODE = 0o700;

export interface WrapperInput {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly model: string;
  readonly modalProxy?: ModalProxyCredentials;
  /**
   * Directories put first on PATH: the one holding the `qwen` the installer checked, and the one holding a
   * Node new enough for it (qwen's `#!/usr/bin/env node` would otherwise pick whatever `node` comes first).
   */
  readonly pathPrefix: readonly string[];
}

/** POSIX single-quoting: safe for any byte string. */
export const shellQuote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

export function renderWrapper(input: WrapperInput): string {
  const exports: Array<[string, string]> = [
    ["OPENAI_BASE_URL", input.baseUrl],
    ["OPENAI_API_KEY", input.apiKey],
    ["OPENAI_MODEL", input.model],
  ];
  if (input.modalProxy) {
    exports.push(["MODAL_PROXY_TOKEN_ID", input.modalProxy.tokenId], ["MODAL_PROXY_TOKEN_SECRET", input.modalProxy.tokenSecret]);
  }
  exports.push(...Object.entries(PRIVACY_ENV));
  const lines = [
    "#!/bin/sh",
    `# ${WRAPPER_NAME}: qwen-code on the coding-agent-server stack's models.`,
    "# Written by install-qwen-code (npx install-qwen-code --uninstall removes it). Holds keys: keep it mode 0700.",
    ...exports.map(([k, v]) => `export ${k}=${shellQuote(v)}`),
  ];
  const prefix = [...new Set(input.pathPrefix)];
  if (prefix.length > 0) lines.push(`PATH=${prefix.map(shellQuote).join(":")}:"$PATH"`, "export PATH");
  lines.push('exec qwen "$@"', "");
  return lines.join("\n");
}

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** True when `dir` is one of the entries of a PATH value. */
export function onPath(dir: string, pathValue: string | undefined): boolean {
  const norm = (p: string) => p.replace(/\/+$/, "");
  return (pathValue ?? "").split(":").some((p) => p !== "" && norm(p) === norm(dir));
}
