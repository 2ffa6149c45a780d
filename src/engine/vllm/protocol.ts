/**
 * vLLM's OpenAI-compatible HTTP protocol (V1 engine, 0.11+): the shapes of responses,
 * stream chunks, usage, error objects and the NixlConnector's `kv_transfer_params`, as
 * the emulator writes them and the proxy and load generator read them. Facts and their
 * sources: the project's VLLM.md.
 *
 * @module
 */

/** The vLLM release whose protocol this follows (the emulator's `/version` says so). */
export const VLLM_PROTOCOL_VERSION = "0.11.0";

/** A completion's end: the model's end of sequence (or a stop), or the token limit. */
export type FinishReason = "stop" | "length";

/** `usage` of a response or of the final stream chunk. */
export interface Usage {
  /** Prompt tokens. */
  readonly prompt_tokens: number;
  /** Prompt + completion tokens. */
  readonly total_tokens: number;
  /** Generated tokens. */
  readonly completion_tokens: number;
  /** Prompt tokens served from the prefix cache (vLLM may send `null` when 0). */
  readonly prompt_tokens_details: { readonly cached_tokens: number } | null;
}

/** The body of an error answer: `{"error": {message, type, param, code}}`. */
export interface ErrorBody {
  /** What went wrong. */
  readonly error: {
    readonly message: string;
    readonly type: string;
    readonly param: string | null;
    readonly code: number;
  };
}

/** vLLM's error `type` for an HTTP status (`BadRequestError` for 400, …). */
export function errorType(status: number): string {
  switch (status) {
    case 400:
      return "BadRequestError";
    case 401:
      return "AuthenticationError";
    case 404:
      return "NotFoundError";
    case 413:
      return "RequestEntityTooLarge";
    case 429:
      return "RateLimitError";
    case 503:
      return "ServiceUnavailableError";
    default:
      return status >= 500 ? "InternalServerError" : "BadRequestError";
  }
}

/**
 * An error object as vLLM answers it.
 *
 * @example
 * ```ts
 * import { errorBody } from "./protocol.ts";
 * const b = errorBody(404, "The model `x` does not exist.", "model");
 * if (b.error.type !== "NotFoundError" || b.error.code !== 404) throw new Error();
 * ```
 */
export function errorBody(status: number, message: string, param: string | null = null): ErrorBody {
  return { error: { message, type: errorType(status), param, code: status } };
}

/**
 * What vLLM's `--api-key` middleware answers a request without the right
 * `Authorization: Bearer` header (status 401): not the usual error object.
 */
export const UNAUTHORIZED_BODY: { readonly error: string } = { error: "Unauthorized" };

/**
 * The NixlConnector's `kv_transfer_params`. A prefill hop sends `do_remote_decode: true`
 * (the rest null); the prefill engine answers with `do_remote_prefill: true` and where its
 * blocks are; the decode hop forwards that answer unchanged. Forward it as an opaque
 * object: new keys appear between versions.
 */
export interface KvTransferParams {
  /** Prefill here and keep the KV for a remote decode engine. */
  readonly do_remote_decode?: boolean;
  /** The KV was prefilled on a remote engine: pull it instead of prefilling. */
  readonly do_remote_prefill?: boolean;
  /** The prefill engine's block ids (one list, or one list per KV-cache group). */
  readonly remote_block_ids?: readonly number[] | readonly (readonly number[])[] | null;
  /** The prefill engine's id. */
  readonly remote_engine_id?: string | null;
  /** The request's id on the prefill engine. */
  readonly remote_request_id?: string | null;
  /** The prefill engine's side-channel host. */
  readonly remote_host?: string | null;
  /** The prefill engine's side-channel port. */
  readonly remote_port?: number | null;
  /** The prefill engine's tensor-parallel size. */
  readonly tp_size?: number;
  /** Any key a newer version adds. */
  readonly [key: string]: unknown;
}

/** What a prefill hop sends: `do_remote_decode` and nulls (vLLM's toy proxy). */
export const PREFILL_HOP_PARAMS: KvTransferParams = {
  do_remote_decode: true,
  do_remote_prefill: false,
  remote_engine_id: null,
  remote_block_ids: null,
  remote_host: null,
  remote_port: null,
};

/** The fields a decode engine needs to pull KV (missing one: it prefills itself). */
export const PULL_FIELDS: readonly string[] = [
  "remote_engine_id",
  "remote_request_id",
  "remote_host",
  "remote_port",
  "remote_block_ids",
];

/** The `data:` line of one server-sent event, with its blank line. */
export function sseEvent(json: string): string {
  return `data: ${json}\n\n`;
}

/** The last event of every vLLM stream. */
export const SSE_DONE = "data: [DONE]\n\n";

/**
 * The `data:` payloads of a server-sent-event stream's text (comments and other fields
 * skipped), `[DONE]` included as it came.
 *
 * @example
 * ```ts
 * import { sseData } from "./protocol.ts";
 * const d = sseData('data: {"a":1}\n\n: ping\n\ndata: [DONE]\n\n');
 * if (d.length !== 2 || d[1] !== "[DONE]") throw new Error(String(d));
 * ```
 */
export function sseData(text: string): string[] {
  const out: string[] = [];
  for (const event of text.replaceAll("\r\n", "\n").split("\n\n")) {
    const lines = event.split("\n").filter((l) => l.startsWith("data:"));
    if (lines.length === 0) continue;
    out.push(lines.map((l) => l.slice(l.startsWith("data: ") ? 6 : 5)).join("\n"));
  }
  return out;
}
