// What an HTTP error from the endpoint means for the person configuring it. vLLM answers 401 {"error":"Unauthorized"}
// for a wrong/missing --api-key bearer; Modal's proxy answers 401 "modal-http: … proxy authorization" before the
// request reaches vLLM. 502/503/504 are what Modal returns while a container cold-starts: retried, not reported.
import { parseContextOverflow } from "../../lib/vllm-length-errors.ts";
import type { Config } from "../config.ts";

export const RETRYABLE_STATUS = new Set([502, 503, 504]);

export interface HttpFailure {
  readonly retryable: boolean;
  readonly message: string;
}

/** Pure: the server's own error message from a vLLM/OpenAI error body, or the start of a plain-text body. */
export function serverMessage(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: unknown; message?: unknown; detail?: unknown };
    if (typeof j.error === "string") return j.error;
    if (j.error && typeof j.error === "object" && typeof (j.error as { message?: unknown }).message === "string") {
      return (j.error as { message: string }).message;
    }
    if (typeof j.message === "string") return j.message;
    if (typeof j.detail === "string") return j.detail;
  } catch {
    // not JSON: fall through to the raw text
  }
  const text = body.replace(/\s+/g, " ").trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Pure: the message for a non-2xx answer from POST {endpoint}/chat/completions. */
export function describeHttpFailure(status: number, body: string, config: Config): HttpFailure {
  const said = serverMessage(body).replace(/\.$/, "");
  const quoted = said ? `: ${said}` : "";
  const url = `${config.endpoint}/chat/completions`;
  if (RETRYABLE_STATUS.has(status)) {
    return { retryable: true, message: `The VLM endpoint is unavailable (HTTP ${status}${quoted}).` };
  }
  if (status === 401 || status === 403) {
    if (/modal-http|proxy auth/i.test(body)) {
      return {
        retryable: false,
        message: config.modalProxy
          ? `The endpoint's Modal proxy rejected MODAL_PROXY_TOKEN_ID/MODAL_PROXY_TOKEN_SECRET (HTTP ${status}${quoted}). ` +
            "Check that the proxy token exists in the endpoint's Modal workspace."
          : `The endpoint requires Modal proxy auth (HTTP ${status}${quoted}): ` +
            "set MODAL_PROXY_TOKEN_ID and MODAL_PROXY_TOKEN_SECRET in the MCP server's env.",
      };
    }
    return {
      retryable: false,
      message: config.apiKey
        ? `The endpoint rejected VLM_API_KEY (HTTP ${status}${quoted}): it must match the key vLLM was started with (--api-key).`
        : `The endpoint requires an API key (HTTP ${status}${quoted}): set VLM_API_KEY in the MCP server's env.`,
    };
  }
  if (status === 404) {
    return {
      retryable: false,
      message: /model/i.test(said)
        ? `The endpoint does not serve model ${config.model}${quoted}. Set VLM_MODEL to a model listed at ${config.endpoint}/models.`
        : `POST ${url} answered 404${quoted}. Check that VLM_ENDPOINT is the base URL ending in /v1.`,
    };
  }
  if (status === 400 || status === 413 || status === 422) {
    // vLLM's length errors (tests/fixtures/vllm/errors.json): max_tokens alone above the window (vLLM 0.33 names no
    // prompt count then), or a prompt that does not fit
    const overflow = parseContextOverflow(said);
    const hint = overflow?.kind === "max_tokens" && overflow.promptTokens === undefined
      ? ` VLM_MAX_TOKENS${config.maxTokens !== undefined ? ` (${config.maxTokens})` : ""} is above the endpoint's context length (${overflow.maxModelLen} tokens): lower it or leave it unset.`
      : overflow || /context length|maximum model length|too long|exceeds/i.test(said)
      ? " The images and prompt do not fit the model's context: lower VLM_IMAGE_TOKENS or send fewer images."
      : /at most \d+ image|limit.*image|image.*limit/i.test(said)
        ? " Lower VLM_MAX_IMAGES to the endpoint's --limit-mm-per-prompt."
        : "";
    return { retryable: false, message: `The VLM endpoint rejected the request (HTTP ${status}${quoted}).${hint}` };
  }
  if (status === 429) {
    return { retryable: true, message: `The VLM endpoint is rate-limiting requests (HTTP 429${quoted}).` };
  }
  return { retryable: false, message: `The VLM endpoint failed with HTTP ${status}${quoted}.` };
}
