import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { ServerDeps } from "../deps.ts";
import { captureScreen } from "../screenshot/capture.ts";
import { AnalysisOutputShape, runAnalysis } from "./analysis.ts";

// Tool input schema
export const AnalyzeScreenshotInput = {
  prompt: z.string().min(1, "prompt is empty").describe("What to find out about the screen, e.g. 'Is the build dialog showing an error?'"),
  display: z
    .string()
    .min(1)
    .optional()
    .describe("Which screen: an X11 display such as ':0' (default: the server's DISPLAY), or a display number on macOS."),
};

// Tool configuration
const name = "analyze_screenshot";
const config = {
  title: "Analyze screenshot",
  description:
    "Take a screenshot of the whole screen now and ask the vision model (Qwen3-VL) about it. Works on X11 " +
    "(ImageMagick import or xwd), Wayland (grim or gnome-screenshot), macOS and Windows; returns an error when the " +
    "server has no display.",
  inputSchema: AnalyzeScreenshotInput,
  outputSchema: AnalysisOutputShape,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
};

/** Registers analyze_screenshot: captures the screen itself, then analyses it like analyze_image. */
export function registerAnalyzeScreenshotTool(server: McpServer, deps: ServerDeps): void {
  server.registerTool(name, config, async ({ prompt, display }, extra): Promise<CallToolResult> => {
    const source = `screenshot${display ? ` of ${display}` : ""}`;
    const load = async (signal: AbortSignal) => {
      const shot = await captureScreen(display, { platform: deps.platform, env: deps.env }, signal);
      deps.log(`${name}: captured with ${shot.tool}, ${shot.image.length} bytes`);
      return { bytes: shot.image, label: `the ${source}` };
    };
    return runAnalysis(deps, extra, name, [{ source, load }], prompt);
  });
}
