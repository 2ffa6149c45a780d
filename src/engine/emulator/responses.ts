/**
 * The emulator's response bodies and stream chunks, shaped as vLLM's (field order
 * included), and its output text: deterministic filler, one word per token, that the
 * model's tokenizer reads back as exactly as many tokens.
 *
 * @module
 */

import type { ApiKind } from "../vllm/request_fields.ts";
import {
  type ErrorBody,
  type FinishReason,
  type KvTransferParams,
  SSE_DONE,
  type Usage,
} from "../vllm/protocol.ts";

// " The quick brown fox jumps over the lazy dog." — ten words, ten Llama-3 tokens, and the
// same ten again however the sentences are joined.
const FILLER = [
  " The",
  " quick",
  " brown",
  " fox",
  " jumps",
  " over",
  " the",
  " lazy",
  " dog",
  ".",
];

/** The filler repeats every this many tokens. */
export const FILLER_PERIOD: number = FILLER.length;

/** The text of output token `k` (1-based). */
export function fillerToken(k: number): string {
  return FILLER[(k - 1) % FILLER.length];
}

/** The text of output tokens `1 … n`. */
export function fillerText(n: number): string {
  let s = "";
  for (let k = 1; k <= n; k++) s += fillerToken(k);
  return s;
}

/** `usage` as vLLM writes it (`prompt_tokens_details` always, with the cached tokens). */
export function usageOf(promptTokens: number, completionTokens: number, cached: number): Usage {
  return {
    prompt_tokens: promptTokens,
    total_tokens: promptTokens + completionTokens,
    completion_tokens: completionTokens,
    prompt_tokens_details: { cached_tokens: cached },
  };
}

/** What every body and chunk of one response repeats. */
export interface ResponseHead {
  /** `cmpl-…` or `chatcmpl-…`. */
  readonly id: string;
  /** Unix seconds. */
  readonly created: number;
  /** The served model name. */
  readonly model: string;
  /** Which API. */
  readonly api: ApiKind;
}

/** The non-streaming body of a finished request. */
export function responseBody(
  head: ResponseHead,
  tokens: number,
  finish: FinishReason,
  usage: Usage,
  kvTransferParams: KvTransferParams | null,
): Record<string, unknown> {
  const text = fillerText(tokens);
  const base = { id: head.id, object: "", created: head.created, model: head.model };
  if (head.api === "chat") {
    return {
      ...base,
      object: "chat.completion",
      choices: [{
        index: 0,
        message: { role: "assistant", content: text, tool_calls: [] },
        logprobs: null,
        finish_reason: finish,
        stop_reason: null,
      }],
      usage,
      prompt_logprobs: null,
      kv_transfer_params: kvTransferParams,
    };
  }
  return {
    ...base,
    object: "text_completion",
    choices: [{
      index: 0,
      text,
      logprobs: null,
      finish_reason: finish,
      stop_reason: null,
      prompt_logprobs: null,
    }],
    usage,
    kv_transfer_params: kvTransferParams,
  };
}

/**
 * The server-sent events of one streamed response, with each chunk's constant parts
 * serialised once (a token chunk is then two string concatenations).
 */
export class ChunkWriter {
  readonly #head: ResponseHead;
  readonly #open: string;
  readonly #close: string;
  readonly #closeLast: (finish: FinishReason) => string;

  /** Chunks of the response `head` describes. */
  constructor(head: ResponseHead) {
    this.#head = head;
    const object = head.api === "chat" ? "chat.completion.chunk" : "text_completion";
    const prefix =
      `data: {"id":${JSON.stringify(head.id)},"object":"${object}","created":${head.created},` +
      `"model":${JSON.stringify(head.model)},"choices":[{"index":0,`;
    if (head.api === "chat") {
      this.#open = prefix + `"delta":{"content":`;
      this.#close = `},"logprobs":null,"finish_reason":null}]}\n\n`;
      this.#closeLast = (f) => `},"logprobs":null,"finish_reason":"${f}","stop_reason":null}]}\n\n`;
    } else {
      this.#open = prefix + `"text":`;
      this.#close = `,"logprobs":null,"finish_reason":null,"stop_reason":null}]}\n\n`;
      this.#closeLast = (f) => `,"logprobs":null,"finish_reason":"${f}","stop_reason":null}]}\n\n`;
    }
  }

  /** The chat role chunk, sent with the first output (empty for completions). */
  role(): string {
    if (this.#head.api !== "chat") return "";
    const h = this.#head;
    return `data: {"id":${JSON.stringify(h.id)},"object":"chat.completion.chunk",` +
      `"created":${h.created},"model":${JSON.stringify(h.model)},"choices":[{"index":0,` +
      `"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n`;
  }

  /** Token `k`'s chunk; the last one carries `finish`. */
  token(k: number, finish: FinishReason | null): string {
    const text = JSON.stringify(fillerToken(k));
    return this.#open + text + (finish === null ? this.#close : this.#closeLast(finish));
  }

  /** The usage chunk (`choices: []`) that `stream_options.include_usage` asks for. */
  usage(usage: Usage): string {
    const h = this.#head;
    const object = h.api === "chat" ? "chat.completion.chunk" : "text_completion";
    return `data: ${
      JSON.stringify({
        id: h.id,
        object,
        created: h.created,
        model: h.model,
        choices: [],
        usage,
      })
    }\n\n`;
  }

  /** An error in mid-stream: the error event, then `[DONE]`. */
  error(body: ErrorBody): string {
    return `data: ${JSON.stringify(body)}\n\n` + SSE_DONE;
  }
}
