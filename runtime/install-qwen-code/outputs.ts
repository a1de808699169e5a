// The stack outputs the installer is fed with (`pulumi stack output --json --show-secrets`, or the same JSON
// in a file). Only what the installer uses is validated; other outputs (e.g. `sera`) pass through untouched.
import { z } from "zod";

// `pulumi stack output --json` without --show-secrets prints secrets as this literal.
const SECRET_PLACEHOLDER = "[secret]";

const secretString = (what: string) =>
  z
    .string()
    .min(1)
    .refine((v) => v !== SECRET_PLACEHOLDER, `${what} is "[secret]": the outputs were read without --show-secrets`);

const baseUrl = (what: string) =>
  z
    .url({ protocol: /^https?$/, error: `${what} must be an http(s) URL ending in /v1` })
    .transform((u) => u.replace(/\/+$/, ""))
    .refine((u) => u.endsWith("/v1"), `${what} must end in /v1 (the OpenAI-compatible base URL)`);

const EndpointSchema = (name: string) =>
  z.object(
    {
      baseUrl: baseUrl(`${name}.baseUrl`),
      model: z.string({ error: `${name}.model (the served model name) is missing` }).min(1, `${name}.model is empty`),
      apiKey: secretString(`${name}.apiKey`).optional(),
    },
    { error: `${name} must be an object {baseUrl, model, apiKey?}` },
  );

const McpServerSchema = z.object(
  {
    command: z.string().min(1, "vlmMcpServer.command is empty"),
    args: z.array(z.string()),
    env: z.record(z.string(), z.string()).default({}),
  },
  { error: "vlmMcpServer must be an object {command, args, env}" },
);

export const StackOutputsSchema = z.looseObject({
  coder: z.preprocess(
    (v) => v ?? {},
    EndpointSchema("coder").extend({
      baseUrl: z.preprocess(
        (v) => v ?? "",
        z.string().min(1, "the outputs have no coder.baseUrl: deploy the stack first (npm run up) or check --stack/--outputs").pipe(baseUrl("coder.baseUrl")),
      ),
    }),
  ),
  vlm: EndpointSchema("vlm").extend({ maxImagesPerPrompt: z.number().int().positive().optional() }).optional(),
  vlmMcpServer: McpServerSchema.optional(),
});

export type StackOutputs = z.infer<typeof StackOutputsSchema>;
export type McpServerRegistration = z.infer<typeof McpServerSchema>;

export class OutputsError extends Error {
  override name = "OutputsError";
}

/** Validates parsed outputs; throws an OutputsError naming every bad field and where the outputs came from. */
export function parseStackOutputs(raw: unknown, source: string): StackOutputs {
  // no coder at all is one fact (an undeployed stack), not a list of its missing fields
  const coder = raw !== null && typeof raw === "object" ? (raw as Record<string, unknown>).coder : undefined;
  if (coder === undefined || coder === null) {
    throw new OutputsError(`invalid stack outputs from ${source}:\n  - the outputs have no coder: deploy the stack first (npm run up) or check --stack/--outputs`);
  }
  const result = StackOutputsSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
  throw new OutputsError(`invalid stack outputs from ${source}:\n  - ${problems.join("\n  - ")}`);
}
