// GET /v1/models and POST /v1/messages/count_tokens.
import type { Context } from "hono";
import { estimateTokens, workingDirectoryOf } from "../context.ts";
import { fromUpstreamStatus, invalidRequest, ProxyError } from "../errors.ts";
import type { AppEnv } from "../runtime.ts";
import { validateCountTokens } from "../translate/validate.ts";
import type { AnthropicRequest } from "../types.ts";
import { readJson } from "./body.ts";
import type { UpstreamResponse } from "../transport.ts";

const TOKENIZE_TIMEOUT_MS = 5_000;

interface ModelEntry { type: "model"; id: string; display_name: string; created_at: string }

function entry(id: string, created = 0): ModelEntry {
  return { type: "model", id, display_name: id, created_at: new Date(created * 1000).toISOString() };
}

/** The configured model, else whatever the upstream serves (one call; a cold endpoint answers 503). */
export async function getModels(c: Context<AppEnv>): Promise<Response> {
  const rt = c.get("rt");
  let models: ModelEntry[];
  if (rt.upstream.model) {
    models = [entry(rt.upstream.model)];
  } else {
    let res: UpstreamResponse;
    try {
      res = await rt.transport(rt.urls.models, { method: "GET", headers: rt.headers, signal: AbortSignal.timeout(TOKENIZE_TIMEOUT_MS) });
    } catch {
      throw new ProxyError("overloaded_error", "upstream endpoint unreachable; it may still be starting");
    }
    if (!res.ok) throw fromUpstreamStatus(res.status, await res.text().catch(() => ""));
    const body = JSON.parse(await res.text()) as { data?: Array<{ id?: unknown; created?: unknown }> };
    models = (body.data ?? []).filter((m) => typeof m.id === "string").map((m) => entry(m.id as string, typeof m.created === "number" ? m.created : 0));
  }
  return c.json({ data: models, has_more: false, first_id: models[0]?.id ?? null, last_id: models.at(-1)?.id ?? null });
}

/** Exact through vLLM's /tokenize (chat form, same rendering as the real request) when reachable; otherwise an
 *  estimate, marked `"estimated": true` and by the x-token-count header. */
export async function countTokens(c: Context<AppEnv>): Promise<Response> {
  const rt = c.get("rt");
  const v = validateCountTokens(await readJson(c, rt.maxBodyBytes));
  if (!v.ok) throw invalidRequest(v.message);
  const req = { ...v.value, max_tokens: v.value.max_tokens ?? 1 } as AnthropicRequest;
  let prompt: ReturnType<typeof rt.dialect.toUpstream>;
  try {
    prompt = rt.dialect.toUpstream(req, { cwd: rt.cwd ?? workingDirectoryOf(req) });
  } catch (err) {
    if (err instanceof RangeError) throw invalidRequest("messages: nested too deeply to translate");
    throw err;
  }
  try {
    const res = await rt.transport(rt.urls.tokenize, {
      method: "POST",
      headers: rt.headers,
      body: JSON.stringify({ model: rt.upstream.model ?? req.model, messages: prompt.messages, tools: prompt.tools, add_generation_prompt: true }),
      signal: AbortSignal.timeout(TOKENIZE_TIMEOUT_MS),
    });
    if (res.ok) {
      const body = JSON.parse(await res.text()) as { count?: unknown };
      if (typeof body.count === "number") {
        c.header("x-token-count", "exact");
        return c.json({ input_tokens: body.count });
      }
    }
  } catch {
    // unreachable or cold: estimate below
  }
  c.header("x-token-count", "estimate");
  return c.json({ input_tokens: estimateTokens(prompt), estimated: true });
}
