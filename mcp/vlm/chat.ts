// OpenAI chat-completions shapes for vLLM: the request we build and the parts of the response we read.
import { z } from "zod";

export interface ImagePart {
  readonly type: "image";
  readonly mimeType: string;
  readonly data: Buffer;
}
export interface TextPart {
  readonly type: "text";
  readonly text: string;
}
export type Part = ImagePart | TextPart;

export interface ChatRequestInput {
  readonly model: string;
  /** The user message, in order: images and the text around them. */
  readonly parts: readonly Part[];
  readonly maxTokens: number | undefined;
}

/** Pure: the request body, images as base64 data URLs (vLLM needs no --allowed-local-media-path for those). */
export function buildChatRequest(input: ChatRequestInput): Record<string, unknown> {
  const content = input.parts.map((p) =>
    p.type === "image"
      ? { type: "image_url", image_url: { url: `data:${p.mimeType};base64,${p.data.toString("base64")}` } }
      : { type: "text", text: p.text },
  );
  return {
    model: input.model,
    messages: [{ role: "user", content }],
    ...(input.maxTokens !== undefined ? { max_tokens: input.maxTokens } : {}),
    stream: false,
  };
}

export const UsageSchema = z.object({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number(),
});

export const ChatResponseSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          // Dropped on purpose: these carry the model's chain of thought, not the answer.
          reasoning_content: z.string().nullish(),
          reasoning: z.string().nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: UsageSchema.nullish(),
});
export type ChatResponse = z.infer<typeof ChatResponseSchema>;
export type Usage = z.infer<typeof UsageSchema>;
