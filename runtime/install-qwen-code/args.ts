// Command-line options of install-qwen-code, parsed into a typed value (pure).
import { parseArgs } from "node:util";

export interface Options {
  readonly stack: string;
  /** A JSON file with the stack outputs, for users without the Pulumi engine. */
  readonly outputsFile: string | undefined;
  readonly dryRun: boolean;
  readonly uninstall: boolean;
  /** Skip npm: neither install nor remove qwen-code. */
  readonly noInstall: boolean;
  readonly help: boolean;
}

export const DEFAULT_STACK = "dev";

export const USAGE = `Usage: npx install-qwen-code [options]

Wires qwen-code to the deployed coding-agent-server stack: ~/.qwen/settings.json (coder model, the
vlm-analyzer MCP server, every phone-home channel off) and the \`qodal\` wrapper in ~/.local/bin.

Options:
  --stack NAME      read the outputs of this Pulumi stack (default: ${DEFAULT_STACK})
  --outputs FILE    read the stack outputs from a JSON file instead (\`pulumi stack output --json --show-secrets\`)
  --dry-run         print the settings diff and write nothing
  --uninstall       remove what an earlier install added (values it replaced are put back)
  --no-install      do not run npm (no install or removal of @qwen-code/qwen-code)
  -h, --help        show this help`;

export class UsageError extends Error {
  override name = "UsageError";
}

export function parseOptions(argv: readonly string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string" },
        outputs: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        uninstall: { type: "boolean", default: false },
        "no-install": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      allowPositionals: false,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values } = parsed;
  if (values.stack !== undefined && values.outputs !== undefined) {
    throw new UsageError("--stack and --outputs name two different sources of stack outputs: give one of them");
  }
  if (values.stack !== undefined && values.stack.trim() === "") throw new UsageError("--stack needs a stack name");
  if (values.outputs !== undefined && values.outputs.trim() === "") throw new UsageError("--outputs needs a file path");
  return {
    stack: values.stack ?? DEFAULT_STACK,
    outputsFile: values.outputs,
    dryRun: values["dry-run"],
    uninstall: values.uninstall,
    noInstall: values["no-install"],
    help: values.help,
  };
}
