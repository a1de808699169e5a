import { DEFAULT_IMAGE_TOKENS, DEFAULT_MAX_IMAGES, DEFAULT_MODEL, DEFAULT_PROGRESS_INTERVAL_S, DEFAULT_TIMEOUT_S } from "./config.ts";

// `vlm-mcp --help`: an MCP client starts this server with env, never with flags, so help is the only argument.
export const USAGE = `vlm-mcp — the vlm-analyzer MCP server (stdio): analyze_image, analyze_screenshot, compare_images

An MCP client starts it; configure it through env (the stack's vlmMcpServer output holds a ready registration:
sera and the qwen-code installer register it for you).

Environment:
  VLM_ENDPOINT              the vision endpoint's OpenAI base URL, ending in /v1 (required)
  VLM_API_KEY               its vLLM API key
  VLM_MODEL                 served model name (default ${DEFAULT_MODEL})
  MODAL_PROXY_TOKEN_ID / MODAL_PROXY_TOKEN_SECRET   Modal proxy auth, when the endpoint requires it
  VLM_TIMEOUT               seconds per request, cold starts included (default ${DEFAULT_TIMEOUT_S})
  VLM_MAX_IMAGES            the endpoint's images per prompt (--limit-mm-per-prompt) (default ${DEFAULT_MAX_IMAGES})
  VLM_IMAGE_TOKENS          per-image budget in Qwen3-VL tokens (32×32 px each) (default ${DEFAULT_IMAGE_TOKENS})
  VLM_MAX_TOKENS            max_tokens for the answer (default: what the context leaves)
  VLM_PROGRESS_INTERVAL     seconds between progress notifications while waiting (default ${DEFAULT_PROGRESS_INTERVAL_S})
`;

/** Pure: whether the command line asks for help (anything else on it is ignored, as MCP clients pass none). */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes("--help") || argv.includes("-h");
}
