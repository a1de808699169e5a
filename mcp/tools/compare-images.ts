import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { ServerDeps } from "../deps.ts";
import { ToolError } from "../errors.ts";
import { loadImageSource } from "../image/source.ts";
import { AnalysisOutputShape, errorResult, runAnalysis } from "./analysis.ts";

// Tool input schema. The upper bound is the endpoint's images-per-prompt limit (VLM_MAX_IMAGES), not a constant.
export function compareImagesInput(maxImages: number) {
  const max = Math.max(2, maxImages);
  return {
    image_paths: z
      .array(z.string().min(1, "an image path is empty"))
      .min(2, "compare_images needs at least 2 images; use analyze_image for one")
      .max(max, `compare_images takes at most ${max} images (the endpoint's limit, VLM_MAX_IMAGES)`)
      .describe(
        `2 to ${max} images, each a local path, file:// or http(s):// URL, or data: URI. ` +
          "The model sees them as Image 1, Image 2, … in this order.",
      ),
    prompt: z.string().min(1, "prompt is empty").describe("What to compare, e.g. 'What changed between the two screenshots?'"),
  };
}

// Tool configuration
const name = "compare_images";

/** Registers compare_images: 2..VLM_MAX_IMAGES images in one request. */
export function registerCompareImagesTool(server: McpServer, deps: ServerDeps): void {
  const maxImages = deps.config.config.maxImages;
  const config = {
    title: "Compare images",
    description:
      `Ask the vision model (Qwen3-VL) one question about 2 to ${Math.max(2, maxImages)} images at once: ` +
      "before/after screenshots, expected vs actual UI, design variants. Returns the model's answer as text.",
    inputSchema: compareImagesInput(maxImages),
    outputSchema: AnalysisOutputShape,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  };
  server.registerTool(name, config, async ({ image_paths, prompt }, extra): Promise<CallToolResult> => {
    if (image_paths.length > maxImages) {
      // Only reachable when VLM_MAX_IMAGES < 2: the schema already enforces the limit otherwise.
      return errorResult(deps, name, new ToolError(`The endpoint accepts ${maxImages} image(s) per prompt (VLM_MAX_IMAGES).`));
    }
    const inputs = image_paths.map((p) => ({ source: p, load: (signal: AbortSignal) => loadImageSource(p, deps, signal) }));
    return runAnalysis(deps, extra, name, inputs, prompt);
  });
}
