// The pipeline the three tools share: load → prepare (sharp, token budget) → ask the VLM → answer text plus
// structuredContent. Tool files only describe their inputs and where the images come from.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { ServerDeps } from "../deps.ts";
import { ToolError, messageOf } from "../errors.ts";
import { prepareImage, type PreparedImage } from "../image/prepare.ts";
import type { LoadedImage } from "../image/source.ts";
import { startProgress, type ToolExtra } from "../progress.ts";
import type { Part } from "../vlm/chat.ts";
import { callVlm } from "../vlm/client.ts";

export interface ImageInput {
  /** As given by the caller (path/URL), or a description such as "screenshot of :0". */
  readonly source: string;
  readonly load: (signal: AbortSignal) => Promise<LoadedImage>;
}

// Tool output schema: what structuredContent carries on success.
const SentImageSchema = z.object({
  source: z.string().describe("The image as given (data: URIs are abbreviated)"),
  format: z.string().describe("Detected input format (from magic bytes)"),
  originalWidth: z.number(),
  originalHeight: z.number(),
  originalBytes: z.number(),
  width: z.number().describe("Width sent to the model (multiple of 32)"),
  height: z.number().describe("Height sent to the model (multiple of 32)"),
  mimeType: z.string(),
  bytes: z.number().describe("Encoded size sent, before base64"),
  tokens: z.number().describe("Visual tokens the model spends on this image (one per 32×32 px)"),
});
export const AnalysisOutputShape = {
  answer: z.string().describe("The model's answer, without its reasoning"),
  model: z.string(),
  images: z.array(SentImageSchema),
  imageTokens: z.number().describe("Sum of the images' visual tokens"),
  usage: z
    .object({ promptTokens: z.number(), completionTokens: z.number(), totalTokens: z.number() })
    .optional()
    .describe("Token usage reported by the endpoint (absent if it reported none)"),
  finishReason: z.string().optional().describe("Why generation stopped: stop, length, …"),
  elapsedMs: z.number(),
};
export type AnalysisOutput = z.infer<z.ZodObject<typeof AnalysisOutputShape>>;

export async function runAnalysis(
  deps: ServerDeps,
  extra: ToolExtra,
  tool: string,
  inputs: readonly ImageInput[],
  prompt: string,
): Promise<CallToolResult> {
  const { config, problem } = deps.config;
  const started = deps.now();
  const progress = startProgress(extra, config.progressIntervalMs, deps.now, deps.log);
  try {
    if (problem) throw new ToolError(problem);
    progress.step(inputs.length === 1 ? "Preparing the image" : `Preparing ${inputs.length} images`);
    const prepared = await Promise.all(
      inputs.map(async (input, i): Promise<PreparedImage> => {
        const loaded = await input.load(extra.signal);
        const label = inputs.length > 1 ? `Image ${i + 1} (${loaded.label})` : loaded.label;
        return prepareImage(loaded.bytes, { maxTokens: config.imageTokens }, label);
      }),
    );
    const parts: Part[] = [];
    prepared.forEach((img, i) => {
      // Several images are introduced by number so the answer can refer to them unambiguously.
      if (prepared.length > 1) parts.push({ type: "text", text: `Image ${i + 1}:` });
      parts.push({ type: "image", mimeType: img.mimeType, data: img.data });
    });
    parts.push({ type: "text", text: prompt });

    const imageTokens = prepared.reduce((n, p) => n + p.tokens, 0);
    progress.step(`Asking ${config.model} (${prepared.length} image(s), ${imageTokens} image tokens)`);
    progress.heartbeat((s) => `Waiting for ${config.model}: ${s} s elapsed`);
    const answer = await callVlm(config, parts, { signal: extra.signal, onStatus: (m) => progress.step(m) }, deps);

    const output: AnalysisOutput = {
      answer: answer.text,
      model: answer.model,
      images: prepared.map((p, i) => ({
        source: abbreviate(inputs[i]!.source),
        format: p.original.format,
        originalWidth: p.original.width,
        originalHeight: p.original.height,
        originalBytes: p.original.bytes,
        width: p.width,
        height: p.height,
        mimeType: p.mimeType,
        bytes: p.data.length,
        tokens: p.tokens,
      })),
      imageTokens,
      usage: answer.usage
        ? {
            promptTokens: answer.usage.prompt_tokens,
            completionTokens: answer.usage.completion_tokens,
            totalTokens: answer.usage.total_tokens,
          }
        : undefined,
      finishReason: answer.finishReason,
      elapsedMs: Math.round(deps.now() - started),
    };
    deps.log(
      `${tool}: ok in ${output.elapsedMs} ms, ${prepared.length} image(s) ` +
        `${prepared.map((p) => `${p.width}x${p.height}/${p.data.length}B`).join(" ")}, ` +
        `usage ${output.usage ? `${output.usage.promptTokens}+${output.usage.completionTokens}` : "n/a"}, attempts ${answer.attempts}`,
    );
    return { content: [{ type: "text", text: answer.text }], structuredContent: output };
  } catch (err) {
    return errorResult(deps, tool, err);
  } finally {
    progress.stop();
  }
}

/** Every failure becomes an isError result; only unexpected ones are logged with their stack. */
export function errorResult(deps: ServerDeps, tool: string, err: unknown): CallToolResult {
  if (err instanceof ToolError) {
    deps.log(`${tool}: ${err.message}`);
    return { isError: true, content: [{ type: "text", text: err.message }] };
  }
  deps.log(`${tool}: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return { isError: true, content: [{ type: "text", text: `Internal error in vlm-analyzer: ${messageOf(err)}` }] };
}

function abbreviate(source: string): string {
  return source.startsWith("data:") ? `${source.slice(0, Math.max(0, source.indexOf(",")))},…` : source;
}
