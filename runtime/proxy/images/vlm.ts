// The ImageDescriber behind the proxy: the vlm-analyzer's own pipeline (mcp/: config from the same env the stack
// output vlmMcpServer gives the MCP server, sharp downscaling to the token budget, the cold-start-aware VLM call),
// so an image pasted into Claude Code and one passed to analyze_image reach the vision model the same way.
// Loaded only when a request carries an image: the proxy's start-up and its text-only path never import sharp.
import { setTimeout as sleep } from "node:timers/promises";
import type { ImageBlock } from "../types.ts";
import type { ImageDescriber } from "./describe.ts";

export const DESCRIBE_PROMPT =
  "Describe this image for a coding assistant that cannot see it. First transcribe all visible text exactly " +
  "(code, error messages, logs, terminal output, UI labels), then describe what is shown: the layout of a UI, " +
  "the structure of a diagram, the data of a chart, anything that looks wrong. Be complete and factual.";

/** Builds the describer from the MCP server's environment (VLM_ENDPOINT, VLM_MODEL, VLM_API_KEY, …). */
export async function vlmDescriber(env: Readonly<Record<string, string | undefined>>, fetchImpl: typeof fetch = globalThis.fetch): Promise<ImageDescriber> {
  const { parseConfig } = await import("../../../mcp/config.ts");
  const { config, problem } = parseConfig(env);
  return {
    model: config.model,
    async describe(image: ImageBlock, signal: AbortSignal): Promise<string> {
      if (problem) throw new Error(problem);
      const [{ prepareImage }, { loadImageSource }, { callVlm }] = await Promise.all([
        import("../../../mcp/image/prepare.ts"), import("../../../mcp/image/source.ts"), import("../../../mcp/vlm/client.ts"),
      ]);
      let bytes: Buffer;
      if (image.source.type === "base64") bytes = Buffer.from(image.source.data, "base64");
      else if (/^https?:\/\//i.test(image.source.url)) bytes = (await loadImageSource(image.source.url, { cwd: "/", home: "/", fetch: fetchImpl }, signal)).bytes;
      else throw new Error("only http(s) image URLs are fetched");
      const prepared = await prepareImage(bytes, { maxTokens: config.imageTokens }, "the image");
      const answer = await callVlm(
        config,
        [{ type: "image", mimeType: prepared.mimeType, data: prepared.data }, { type: "text", text: DESCRIBE_PROMPT }],
        { signal },
        { fetch: fetchImpl, now: () => performance.now(), sleep: (ms, s) => sleep(ms, undefined, { signal: s }) },
      );
      return answer.text;
    },
  };
}
