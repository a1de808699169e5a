// The Pulumi project's name and directory, and where a stack's configuration lives: what local tools need before
// (or without) reading that configuration (stack-config.ts parses it, with yaml and zod).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT = "coding-agent-server";
export const PROJECT_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

export function stackFile(stack: string, projectDir = PROJECT_DIR): string {
  return join(projectDir, `Pulumi.${stack}.yaml`);
}

/** the problem a tool reports for a stack without its configuration file */
export function missingStackFile(stack: string, projectDir = PROJECT_DIR): string {
  return `stack "${stack}" has no ${stackFile(stack, projectDir)}`;
}
