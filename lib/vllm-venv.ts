// Where the vLLM judge lives: one cached venv per pinned vLLM version (the same DEFAULTS.vllmVersion the Modal
// image installs), outside the checkout because it is ~9.5 GB and every clone on the machine can share it.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { DEFAULTS } from "../components/endpoint-args.ts";

export const VLLM_VERSION: string = DEFAULTS.vllmVersion;

/** CAS_VLLM_VENV overrides the location (a shared cache on CI runners, say). */
export function vllmVenvDir(version: string = VLLM_VERSION, env: NodeJS.ProcessEnv = process.env): string {
  return env.CAS_VLLM_VENV ?? join(homedir(), ".cache", "coding-agent-server", "vllm", version);
}

export function vllmPython(version: string = VLLM_VERSION, env: NodeJS.ProcessEnv = process.env): string {
  return join(vllmVenvDir(version, env), "bin", "python");
}

/** The environment vLLM's CLI and modules need on a machine without a GPU. */
export const VLLM_CPU_ENV: Readonly<Record<string, string>> = { VLLM_TARGET_DEVICE: "cpu", HF_HUB_OFFLINE: "1", TRANSFORMERS_OFFLINE: "1" };

/** Written by `npm run setup:vllm` once `import vllm` works in the venv: a half-installed venv is not ready. */
export function vllmReadyMarker(version: string = VLLM_VERSION, env: NodeJS.ProcessEnv = process.env): string {
  return join(vllmVenvDir(version, env), ".coding-agent-server-ready");
}

export function vllmVenvReady(version: string = VLLM_VERSION, env: NodeJS.ProcessEnv = process.env): boolean {
  return existsSync(vllmPython(version, env)) && existsSync(vllmReadyMarker(version, env));
}
