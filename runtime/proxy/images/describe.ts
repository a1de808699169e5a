// Images sent to a model without vision (SERA, the coder) become the vision model's description of them: a
// text block that says so. Without this, the dialects would drop them (SERA) or vLLM would refuse the request.
// Runs before the upstream exchange, only when the proxy has a describer (the upstream cannot see) and the request
// has an image: with no describer or no image, nothing here runs.
import { createHash } from "node:crypto";
import { ProxyError } from "../errors.ts";
import type { AnthropicMessage, AnthropicRequest, ContentBlock, ImageBlock, TextBlock } from "../types.ts";

/** Describes one image in words; rejects with a message saying why it could not. */
export interface ImageDescriber {
  /** the vision model, named in the text block */
  readonly model: string;
  describe(image: ImageBlock, signal: AbortSignal): Promise<string>;
}

/** Does any message (or tool result inside one) carry an image block? A scan of block types, nothing more. */
export function hasImages(req: AnthropicRequest): boolean {
  for (const m of req.messages) {
    if (typeof m.content === "string") continue;
    for (const b of m.content) {
      if (b.type === "image") return true;
      if (b.type === "tool_result" && Array.isArray(b.content)) for (const p of b.content) if (p.type === "image") return true;
    }
  }
  return false;
}

/** One key per distinct image: the same screenshot in every replayed turn is described once. */
export function imageKey(b: ImageBlock): string {
  const h = createHash("sha256");
  if (b.source.type === "url") h.update(`url:${b.source.url}`);
  else h.update(`b64:${b.source.media_type}:`).update(b.source.data);
  return h.digest("base64url");
}

export type Description = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

/** The text block that replaces an image. Pure: the same description gives the same bytes (prefix caching). */
export function descriptionBlock(model: string, d: Description): TextBlock {
  return d.ok
    ? { type: "text", text: `[Image: you cannot see images, so the vision model ${model} described this one for you]\n${d.text}` }
    : { type: "text", text: `[Image: you cannot see images, and the vision model ${model} could not describe this one (${d.reason}). Ask the user what it shows if it matters.]` };
}

/** Pure: the request with every image replaced by its description block (descriptions looked up by imageKey). */
export function replaceImages(req: AnthropicRequest, model: string, descriptions: ReadonlyMap<string, Description>): AnthropicRequest {
  const swap = (b: ImageBlock): TextBlock => descriptionBlock(model, descriptions.get(imageKey(b)) ?? { ok: false, reason: "not described" });
  const messages = req.messages.map((m): AnthropicMessage => {
    if (typeof m.content === "string") return m;
    let changed = false;
    const content = m.content.map((b): ContentBlock => {
      if (b.type === "image") { changed = true; return swap(b); }
      if (b.type === "tool_result" && Array.isArray(b.content) && b.content.some((p) => p.type === "image")) {
        changed = true;
        return { ...b, content: b.content.map((p) => (p.type === "image" ? swap(p) : p)) };
      }
      return b;
    });
    return changed ? { ...m, content } : m;
  });
  return { ...req, messages };
}

function imagesOf(req: AnthropicRequest): Map<string, ImageBlock> {
  const found = new Map<string, ImageBlock>();
  const add = (b: ImageBlock) => { const k = imageKey(b); if (!found.has(k)) found.set(k, b); };
  for (const m of req.messages) {
    if (typeof m.content === "string") continue;
    for (const b of m.content) {
      if (b.type === "image") add(b);
      else if (b.type === "tool_result" && Array.isArray(b.content)) for (const p of b.content) if (p.type === "image") add(p as ImageBlock);
    }
  }
  return found;
}

export interface DescribeHooks {
  readonly signal: AbortSignal;
  readonly onDescribed?: (fields: { cached: boolean; ok: boolean; ms: number; reason?: string }) => void;
}

/**
 * Remembers descriptions by image (bounded, oldest first out) so a conversation's images are described once,
 * not on every turn Claude Code replays them; concurrent requests for one image share the call.
 */
export class DescriptionCache {
  private readonly entries = new Map<string, Promise<Description>>();
  private readonly describer: ImageDescriber;
  private readonly max: number;
  constructor(describer: ImageDescriber, max = 256) {
    this.describer = describer;
    this.max = max;
  }

  get model(): string {
    return this.describer.model;
  }

  describe(key: string, image: ImageBlock, hooks: DescribeHooks): Promise<Description> {
    const hit = this.entries.get(key);
    if (hit) {
      hooks.onDescribed?.({ cached: true, ok: true, ms: 0 });
      return untilAborted(hit, hooks.signal);
    }
    const started = performance.now();
    // Not cancelled with the request that started it: Claude Code retries a request that waited too long, and the
    // retry (or the next turn) then finds the description under way; the describer's own budget bounds the call.
    const p = this.describer.describe(image, new AbortController().signal).then(
      (text): Description => ({ ok: true, text }),
      (err: unknown): Description => ({ ok: false, reason: err instanceof Error ? err.message : String(err) }),
    ).then((d) => {
      // a failure is not remembered: the next turn asks again (the VLM may have been cold or misconfigured)
      if (!d.ok) this.entries.delete(key);
      hooks.onDescribed?.({ cached: false, ok: d.ok, ms: Math.round(performance.now() - started), ...(d.ok ? {} : { reason: d.reason.slice(0, 200) }) });
      return d;
    });
    this.entries.set(key, p);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
    return untilAborted(p, hooks.signal);
  }
}

/** The promise, or a rejection as soon as the client has gone. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new ProxyError("api_error", "client disconnected"));
  return new Promise<T>((resolve, reject) => {
    const gone = () => reject(new ProxyError("api_error", "client disconnected"));
    signal.addEventListener("abort", gone, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", gone));
  });
}

/** The request as a model without vision can take it: images described by the VLM (in parallel), then replaced. */
export async function describeImages(req: AnthropicRequest, cache: DescriptionCache, hooks: DescribeHooks): Promise<AnthropicRequest> {
  const images = imagesOf(req);
  const descriptions = new Map<string, Description>();
  await Promise.all([...images].map(async ([key, image]) => descriptions.set(key, await cache.describe(key, image, hooks))));
  return replaceImages(req, cache.model, descriptions);
}
