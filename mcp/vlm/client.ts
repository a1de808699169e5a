// One chat-completions call to the vision endpoint, with the whole VLM_TIMEOUT as its budget: a cold Modal
// container answers 502/503 or drops connections for a while, so those are retried with backoff until the
// budget runs out; everything else is reported at once.
import type { Config } from "../config.ts";
import { ToolError, errorCode, networkReason } from "../errors.ts";
import { buildChatRequest, ChatResponseSchema, type Part, type Usage } from "./chat.ts";
import { describeHttpFailure } from "./http-errors.ts";
import { stripReasoning } from "./reasoning.ts";

export interface VlmDeps {
  readonly fetch: typeof fetch;
  readonly now: () => number;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface VlmAnswer {
  readonly text: string;
  readonly model: string;
  readonly usage: Usage | undefined;
  readonly finishReason: string | undefined;
  readonly attempts: number;
}

export interface CallOptions {
  readonly signal: AbortSignal;
  /** Status lines while waiting (retries); the caller turns them into progress notifications. */
  readonly onStatus?: (message: string) => void;
}

/** Connection-level failures that a cold start or a restarting proxy produce. */
const RETRYABLE_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_CLOSED",
]);

/** Pure: backoff before retry `attempt` (1-based): 1, 2, 4, 8, then every 10 s. */
export function backoffMs(attempt: number): number {
  return Math.min(10_000, 1000 * 2 ** (attempt - 1));
}

export async function callVlm(
  config: Config,
  parts: readonly Part[],
  opts: CallOptions,
  deps: VlmDeps,
): Promise<VlmAnswer> {
  if (!config.endpoint) throw new ToolError("VLM_ENDPOINT is not set: set it to the vision endpoint's base URL ending in /v1.");
  const url = `${config.endpoint}/chat/completions`;
  const body = JSON.stringify(
    buildChatRequest({ model: config.model, parts, maxTokens: config.maxTokens }),
  );
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;
  if (config.modalProxy) {
    headers["Modal-Key"] = config.modalProxy.tokenId;
    headers["Modal-Secret"] = config.modalProxy.tokenSecret;
  }

  const started = deps.now();
  const deadline = started + config.timeoutMs;
  const budget = AbortSignal.timeout(config.timeoutMs);
  const signal = AbortSignal.any([opts.signal, budget]);
  const timedOut = (last: string) =>
    new ToolError(
      `No answer from the VLM endpoint within VLM_TIMEOUT=${config.timeoutMs / 1000} s` +
        `${last ? ` (last problem: ${last})` : ""}. A cold start can take minutes: raise VLM_TIMEOUT or retry.`,
    );
  let lastProblem = "";

  for (let attempt = 1; ; attempt++) {
    let retryReason: string;
    try {
      const res = await deps.fetch(url, { method: "POST", headers, body, signal });
      const text = await res.text();
      if (res.ok) return parseAnswer(text, config, attempt);
      const failure = describeHttpFailure(res.status, text, config);
      if (!failure.retryable) throw new ToolError(failure.message);
      retryReason = failure.message;
    } catch (err) {
      if (err instanceof ToolError) throw err;
      if (opts.signal.aborted) throw new ToolError("The request was cancelled by the client.");
      if (budget.aborted || deps.now() >= deadline) throw timedOut(lastProblem);
      const code = errorCode(err);
      if (code === "ENOTFOUND") {
        throw new ToolError(`Cannot resolve the host of VLM_ENDPOINT (${config.endpoint}): check the URL.`);
      }
      if (!code || !RETRYABLE_CODES.has(code)) {
        throw new ToolError(`Cannot reach the VLM endpoint ${config.endpoint}: ${networkReason(err)}.`);
      }
      retryReason = `cannot connect to ${config.endpoint} (${code})`;
    }
    lastProblem = retryReason;
    const wait = Math.min(backoffMs(attempt), deadline - deps.now());
    if (wait <= 0) throw timedOut(lastProblem);
    opts.onStatus?.(`${retryReason} Retrying in ${Math.ceil(wait / 1000)} s (attempt ${attempt + 1}).`);
    try {
      await deps.sleep(wait, signal);
    } catch {
      if (opts.signal.aborted) throw new ToolError("The request was cancelled by the client.");
      throw timedOut(lastProblem);
    }
  }
}

function parseAnswer(text: string, config: Config, attempts: number): VlmAnswer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ToolError(`The VLM endpoint answered 200 but not with JSON: ${text.slice(0, 200)}`);
  }
  const parsed = ChatResponseSchema.safeParse(json);
  if (!parsed.success) {
    throw new ToolError(`The VLM endpoint's answer is not an OpenAI chat completion: ${parsed.error.issues[0]?.message}.`);
  }
  const choice = parsed.data.choices[0]!;
  const answer = stripReasoning(choice.message.content);
  const finishReason = choice.finish_reason ?? undefined;
  if (answer.text === "") {
    if (finishReason === "length" || answer.unfinishedReasoning) {
      throw new ToolError(
        "The model used up its token budget while still reasoning and gave no answer" +
          (config.maxTokens !== undefined ? `: raise VLM_MAX_TOKENS (now ${config.maxTokens})` : "") +
          ", or ask a narrower question.",
      );
    }
    throw new ToolError("The model returned an empty answer.");
  }
  return {
    text: answer.text,
    model: parsed.data.model ?? config.model,
    usage: parsed.data.usage ?? undefined,
    finishReason,
    attempts,
  };
}
