// The vlm-analyzer MCP server: three vision tools over an OpenAI-compatible vLLM endpoint serving Qwen3-VL.
// No I/O here: mcp/main.ts supplies the deps and the transport; tests connect their own.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ServerDeps } from "./deps.ts";
import { registerAnalyzeImageTool } from "./tools/analyze-image.ts";
import { registerAnalyzeScreenshotTool } from "./tools/analyze-screenshot.ts";
import { registerCompareImagesTool } from "./tools/compare-images.ts";

export const SERVER_NAME = "vlm-analyzer";
export const SERVER_VERSION = "0.1.0";

export function createServer(deps: ServerDeps): { server: McpServer; cleanup: () => Promise<void> } {
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      capabilities: { tools: {} },
      instructions:
        "Vision tools backed by a Qwen3-VL endpoint. Use analyze_image for a file or URL, compare_images for 2 or more " +
        "images in one question, analyze_screenshot to look at the screen as it is now.",
    },
  );
  registerAnalyzeImageTool(server, deps);
  registerCompareImagesTool(server, deps);
  registerAnalyzeScreenshotTool(server, deps);
  return { server, cleanup: () => server.close() };
}
