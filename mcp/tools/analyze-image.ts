import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { ServerDeps } from "../deps.ts";
import { loadImageSource } from "../image/source.ts";
import { AnalysisOutputShape, runAnalysis } from "./analysis.ts";

// Tool input schema
export const AnalyzeImageInput = {
  image_path: z
    .string()
    .min(1, "image_path is empty")
    .describe(
      "The image: a local file path (absolute, ~/…, or relative to the server's working directory), " +
        "a file:// or http(s):// URL, or a data: URI. PNG, JPEG, GIF (first frame), WebP, TIFF, SVG, AVIF.",
    ),
  prompt: z.string().min(1, "prompt is empty").describe("What to find out about the image, e.g. 'What error does this dialog show?'"),
};

// Tool configuration
const name = "analyze_image";
const config = {
  title: "Analyze image",
  description:
    "Ask the vision model (Qwen3-VL) a question about one image: screenshots, UI mockups, diagrams, charts, photos, " +
    "error dialogs. Returns the model's answer as text. The image is checked by content and downscaled to the model's " +
    "token budget before it is sent.",
  inputSchema: AnalyzeImageInput,
  outputSchema: AnalysisOutputShape,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
};

/** Registers analyze_image: one image (path, URL or data: URI) plus a prompt. */
export function registerAnalyzeImageTool(server: McpServer, deps: ServerDeps): void {
  server.registerTool(name, config, async ({ image_path, prompt }, extra): Promise<CallToolResult> =>
    runAnalysis(deps, extra, name, [{ source: image_path, load: (signal) => loadImageSource(image_path, deps, signal) }], prompt),
  );
}
