// Request validation: the fields the proxy reads must have the right types; everything else is ignored (Claude Code
// adds fields such as context_management, output_config, metadata that mean nothing upstream). A failure becomes a
// 400 whose message names the field, e.g. "messages.2.content.0.tool_use_id: expected string, received number".
import { z } from "zod";
import type { AnthropicRequest } from "../types.ts";

const text = z.looseObject({ type: z.literal("text"), text: z.string() });
const image = z.looseObject({
  type: z.literal("image"),
  source: z.union([
    z.looseObject({ type: z.literal("base64"), media_type: z.string(), data: z.string() }),
    z.looseObject({ type: z.literal("url"), url: z.string() }),
  ]),
});
const toolUse = z.looseObject({ type: z.literal("tool_use"), id: z.string(), name: z.string(), input: z.unknown() });
const toolResult = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]).optional(),
  is_error: z.boolean().optional(),
});
const thinking = z.looseObject({ type: z.literal("thinking"), thinking: z.string() });

// Known block types are checked field by field; unknown types pass (they are skipped when translating).
const KNOWN: Record<string, z.ZodType> = { text, image, tool_use: toolUse, tool_result: toolResult, thinking };

function checkKnown(val: { type: string }, ctx: z.RefinementCtx): void {
  const schema = Object.hasOwn(KNOWN, val.type) ? KNOWN[val.type] : undefined;
  if (!schema) return;
  const r = schema.safeParse(val);
  if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
}

const block = z.looseObject({ type: z.string() }).superRefine(checkKnown);
// tool_result content blocks: only text and image are meaningful; validated the same way
const message = z.looseObject({
  role: z.enum(["user", "assistant", "system"]),
  content: z.union([z.string(), z.array(block)]),
});

const finite = z.number().refine(Number.isFinite, "expected a finite number");

export const requestSchema = z.looseObject({
  model: z.string(),
  messages: z.array(message),
  max_tokens: z.number().int().positive(),
  system: z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))]).optional(),
  tools: z.array(z.looseObject({ name: z.string(), description: z.string().optional(), input_schema: z.record(z.string(), z.unknown()).optional() })).optional(),
  tool_choice: z.looseObject({ type: z.enum(["auto", "any", "tool", "none"]), name: z.string().optional() }).optional(),
  stream: z.boolean().optional(),
  temperature: finite.optional(),
  top_p: finite.optional(),
  top_k: z.number().int().optional(),
  stop_sequences: z.array(z.string()).optional(),
  thinking: z.looseObject({ type: z.string(), budget_tokens: z.number().optional() }).optional(),
});

/** The count_tokens endpoint takes the same body without max_tokens. */
export const countTokensSchema = requestSchema.extend({ max_tokens: z.number().int().positive().optional() });

function describe(issues: readonly z.core.$ZodIssue[]): string {
  const first = issues[0];
  const path = first.path.length > 0 ? first.path.join(".") : "body";
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? "s" : ""})` : "";
  return `${path}: ${first.message}${more}`;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; message: string };

export function validateRequest(body: unknown): Validated<AnthropicRequest> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ok: false, message: "body: expected a JSON object" };
  const r = requestSchema.safeParse(body);
  if (!r.success) return { ok: false, message: describe(r.error.issues) };
  if (r.data.tool_choice?.type === "tool" && typeof r.data.tool_choice.name !== "string") {
    return { ok: false, message: "tool_choice.name: required when tool_choice.type is \"tool\"" };
  }
  return { ok: true, value: r.data as unknown as AnthropicRequest };
}

export function validateCountTokens(body: unknown): Validated<Omit<AnthropicRequest, "max_tokens"> & { max_tokens?: number }> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ok: false, message: "body: expected a JSON object" };
  const r = countTokensSchema.safeParse(body);
  if (!r.success) return { ok: false, message: describe(r.error.issues) };
  return { ok: true, value: r.data as unknown as AnthropicRequest };
}
