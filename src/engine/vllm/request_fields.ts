/**
 * The fields of a completions or chat request body that the live path reads, checked as
 * vLLM's request models check them: a bad field is a 400 naming it (`param`). Unknown
 * fields are ignored, as vLLM does.
 *
 * @module
 */

import type { ChatMessage } from "../../workload/tokenizer.ts";
import type { KvTransferParams } from "./protocol.ts";

/** `/v1/completions` or `/v1/chat/completions`. */
export type ApiKind = "completions" | "chat";

/** A request's generation fields, checked. */
export interface GenerationRequest {
  /** Which API. */
  readonly api: ApiKind;
  /** `model` (absent: the server's only model). */
  readonly model: string | undefined;
  /** Completions: the prompt text, or its token ids. */
  readonly prompt: string | readonly number[] | undefined;
  /** Chat: the messages, content parts joined by newlines as vLLM does. */
  readonly messages: readonly ChatMessage[] | undefined;
  /** `max_tokens` (chat: or `max_completion_tokens`); absent: up to the model's length. */
  readonly maxTokens: number | undefined;
  /** `min_tokens` (0 when absent). */
  readonly minTokens: number;
  /** `ignore_eos`. */
  readonly ignoreEos: boolean;
  /** `stream`. */
  readonly stream: boolean;
  /** `stream_options.include_usage`. */
  readonly includeUsage: boolean;
  /** `stop` as a list. */
  readonly stop: readonly string[];
  /** `temperature`, when given. */
  readonly temperature: number | undefined;
  /** `kv_transfer_params` (null or absent: none). */
  readonly kvTransferParams: KvTransferParams | undefined;
  /** `priority` (0 when absent). */
  readonly priority: number;
  /** Completions: `add_special_tokens` (default true); chat: false unless set. */
  readonly addSpecialTokens: boolean;
  /** Chat: `add_generation_prompt` (default true). */
  readonly addGenerationPrompt: boolean;
}

/** A field of a request body is missing or wrong: answer 400 naming `param`. */
export class RequestFieldError extends Error {
  /** The field at fault. */
  readonly param: string;
  /**
   * An error about `param`.
   *
   * @param param The field at fault.
   * @param message What is wrong with it.
   */
  constructor(param: string, message: string) {
    super(message);
    this.name = "RequestFieldError";
    this.param = param;
  }
}

type Body = Record<string, unknown>;

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

function optInt(b: Body, key: string, min: number): number | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    throw new RequestFieldError(
      key,
      `'${key}' must be an integer ≥ ${min}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function optBool(b: Body, key: string, dflt: boolean): boolean {
  const v = b[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "boolean") {
    throw new RequestFieldError(key, `'${key}' must be a boolean, got ${typeName(v)}`);
  }
  return v;
}

function contentText(v: unknown, at: string): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) {
    const texts: string[] = [];
    v.forEach((part, i) => {
      const p = part as Body;
      if (!p || typeof p !== "object" || p.type !== "text" || typeof p.text !== "string") {
        throw new RequestFieldError(
          `${at}[${i}]`,
          `'${at}[${i}]' must be a text part {"type": "text", "text": ...}`,
        );
      }
      texts.push(p.text);
    });
    return texts.join("\n");
  }
  throw new RequestFieldError(
    at,
    `'${at}' must be a string or a list of parts, got ${typeName(v)}`,
  );
}

function parseMessages(v: unknown): ChatMessage[] {
  if (v === undefined || v === null) {
    throw new RequestFieldError("messages", "'messages' is required");
  }
  if (!Array.isArray(v) || v.length === 0) {
    throw new RequestFieldError("messages", "'messages' must be a non-empty list of messages");
  }
  return v.map((m, i) => {
    const at = `messages[${i}]`;
    if (!m || typeof m !== "object" || Array.isArray(m)) {
      throw new RequestFieldError(at, `'${at}' must be an object, got ${typeName(m)}`);
    }
    const role = (m as Body).role;
    if (typeof role !== "string" || role === "") {
      throw new RequestFieldError(`${at}.role`, `'${at}.role' must be a non-empty string`);
    }
    return { role, content: contentText((m as Body).content, `${at}.content`) };
  });
}

function parsePrompt(v: unknown): string | number[] {
  if (v === undefined || v === null) throw new RequestFieldError("prompt", "'prompt' is required");
  if (typeof v === "string") return v;
  if (Array.isArray(v)) {
    if (v.length === 1 && typeof v[0] === "string") return v[0];
    if (v.length === 1 && Array.isArray(v[0])) return parsePrompt(v[0]);
    if (v.length > 0 && v.every((x) => Number.isInteger(x) && x >= 0)) return v as number[];
    if (v.length > 1 && v.every((x) => typeof x === "string" || Array.isArray(x))) {
      throw new RequestFieldError("prompt", "'prompt' must be one prompt: batches are not served");
    }
  }
  throw new RequestFieldError(
    "prompt",
    "'prompt' must be a string or a non-empty list of token ids, got " + typeName(v),
  );
}

function parseStop(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.every((s) => typeof s === "string")) return v as string[];
  throw new RequestFieldError("stop", `'stop' must be a string or a list of strings`);
}

/**
 * The generation fields of `body`, checked.
 *
 * @example
 * ```ts
 * import { parseGenerationRequest } from "./request_fields.ts";
 * const r = parseGenerationRequest("chat", {
 *   messages: [{ role: "user", content: "hi" }], max_completion_tokens: 4, stream: true,
 * });
 * if (r.maxTokens !== 4 || !r.stream || r.messages?.[0].content !== "hi") throw new Error();
 * ```
 * @throws {RequestFieldError} Naming the first field that is missing or wrong.
 */
export function parseGenerationRequest(api: ApiKind, body: unknown): GenerationRequest {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw new RequestFieldError(
      "body",
      `The request body must be a JSON object, got ${typeName(body)}`,
    );
  }
  const b = body as Body;
  const model = b.model;
  if (model !== undefined && model !== null && typeof model !== "string") {
    throw new RequestFieldError("model", `'model' must be a string, got ${typeName(model)}`);
  }
  const n = optInt(b, "n", 1);
  if (n !== undefined && n !== 1) {
    throw new RequestFieldError("n", `'n' must be 1 (one choice per request), got ${n}`);
  }
  let maxTokens = optInt(b, "max_tokens", 1);
  if (api === "chat") maxTokens = optInt(b, "max_completion_tokens", 1) ?? maxTokens;
  const minTokens = optInt(b, "min_tokens", 0) ?? 0;
  if (maxTokens !== undefined && minTokens > maxTokens) {
    throw new RequestFieldError(
      "min_tokens",
      `'min_tokens' must be at most 'max_tokens' (${maxTokens}), got ${minTokens}`,
    );
  }
  const temperature = b.temperature;
  if (temperature !== undefined && temperature !== null) {
    if (typeof temperature !== "number" || !(temperature >= 0)) {
      throw new RequestFieldError("temperature", "'temperature' must be a number ≥ 0");
    }
  }
  const so = b.stream_options;
  if (so !== undefined && so !== null && (typeof so !== "object" || Array.isArray(so))) {
    throw new RequestFieldError("stream_options", "'stream_options' must be an object");
  }
  const includeUsage = so ? optBool(so as Body, "include_usage", false) : false;
  const kv = b.kv_transfer_params;
  if (kv !== undefined && kv !== null && (typeof kv !== "object" || Array.isArray(kv))) {
    throw new RequestFieldError("kv_transfer_params", "'kv_transfer_params' must be an object");
  }
  const priority = b.priority;
  if (priority !== undefined && priority !== null && !Number.isInteger(priority)) {
    throw new RequestFieldError("priority", "'priority' must be an integer");
  }
  return {
    api,
    model: typeof model === "string" ? model : undefined,
    prompt: api === "completions" ? parsePrompt(b.prompt) : undefined,
    messages: api === "chat" ? parseMessages(b.messages) : undefined,
    maxTokens,
    minTokens,
    ignoreEos: optBool(b, "ignore_eos", false),
    stream: optBool(b, "stream", false),
    includeUsage,
    stop: parseStop(b.stop),
    temperature: typeof temperature === "number" ? temperature : undefined,
    kvTransferParams: kv ? kv as KvTransferParams : undefined,
    priority: typeof priority === "number" ? priority : 0,
    addSpecialTokens: optBool(b, "add_special_tokens", api === "completions"),
    addGenerationPrompt: optBool(b, "add_generation_prompt", true),
  };
}
