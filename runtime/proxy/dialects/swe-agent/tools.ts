// What SERA saw in training: SWE-agent's tool set (str_replace_editor restricted to view/create/str_replace,
// bash, submit) and its minimal system prompt. The texts have to match the training data word for word —
// they are the same definitions allenai/sera-cli offers its model (src/sera/main.py, SWE_AGENT_TOOLS).
import type { OpenAITool } from "../../types.ts";

export const SWE_AGENT_SYSTEM_PROMPT = "You are a helpful assistant that can interact with a computer to solve tasks.";

/** The directory SWE-agent trajectories work in; mapped to Claude Code's working directory. */
export const TESTBED = "/testbed";

export const EDITOR_TOOL = "str_replace_editor";
export const BASH_TOOL = "bash";
export const SUBMIT_TOOL = "submit";

/**
 * What Claude Code shows when the model submits. SERA usually submits with nothing but hidden reasoning, and
 * Claude Code answers an empty reply with a "[Your previous response had no visible output…]" nudge (2.1.330),
 * costing a model call and showing the user nothing. The note is taken out again when history is rendered.
 */
export const SUBMITTED_NOTE = "\n\nSubmitted.";

export const EDITOR_COMMANDS = ["view", "create", "str_replace"] as const;

const EDITOR_DESCRIPTION = `Custom editing tool for viewing, creating and editing files.
* State is persistent across command calls and discussions with the user.
* If \`path\` is a file, \`view\` displays the result of applying \`cat -n\`. If \`path\` is a directory, \`view\` lists non-hidden files and directories up to 2 levels deep.
* The \`create\` command cannot be used if the specified \`path\` already exists as a file.
* If a \`command\` generates a long output, it will be truncated and marked with \`<response clipped>\`.

Notes for using the \`str_replace\` command:
* The \`old_str\` parameter should match EXACTLY one or more consecutive lines from the original file. Be mindful of whitespaces!
* If the \`old_str\` parameter is not unique in the file, the replacement will not be performed. Make sure to include enough context in \`old_str\` to make it unique.
* The \`new_str\` parameter should contain the edited lines that should replace the \`old_str\`.`;

export const SWE_AGENT_TOOLS: readonly OpenAITool[] = [
  {
    type: "function",
    function: {
      name: EDITOR_TOOL,
      description: EDITOR_DESCRIPTION,
      parameters: {
        type: "object",
        properties: {
          command: {
            type: "string",
            description: "The commands to run. Allowed options are: `view`, `create`, `str_replace`.",
            enum: [...EDITOR_COMMANDS],
          },
          path: {
            type: "string",
            description: "Absolute path to file or directory, e.g. `/testbed/file.py` or `/testbed`.",
          },
          file_text: {
            type: "string",
            description: "Required parameter of `create` command, with the content of the file to be created.",
          },
          old_str: {
            type: "string",
            description: "Required parameter of `str_replace` command containing the string in `path` to replace.",
          },
          new_str: {
            type: "string",
            description:
              "Optional parameter of `str_replace` command containing the new string (if not given, no string will be added).",
          },
          view_range: {
            type: "array",
            description:
              "Optional parameter of `view` command when `path` points to a file. If none is given, the full file is shown. If provided, the file will be shown in the indicated line number range, e.g. [11, 12] will show lines 11 and 12. Indexing at 1 to start. Setting `[start_line, -1]` shows all lines from `start_line` to the end of the file.",
            items: { type: "integer" },
          },
        },
        required: ["command", "path"],
      },
    },
  },
  {
    type: "function",
    function: {
      name: BASH_TOOL,
      description: "Execute a bash command",
      parameters: {
        type: "object",
        properties: { command: { type: "string", description: "The bash command to execute." } },
        required: ["command"],
      },
    },
  },
  {
    type: "function",
    function: {
      name: SUBMIT_TOOL,
      description: "Submit your solution when the task is complete.",
      parameters: { type: "object", properties: {}, required: [] },
    },
  },
];
