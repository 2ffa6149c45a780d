/**
 * `POST /v1/completions` and `POST /v1/chat/completions`: a request body in, a job on the
 * engine, vLLM's answer out (a JSON body, or a server-sent-event stream whose role chunk
 * comes with the first token, whose last content chunk carries `finish_reason`, then the
 * usage chunk when asked for, then `[DONE]`).
 *
 * The end of sequence is emulated deterministically: with `min_tokens` below the token
 * limit (and no `ignore_eos`) the request ends after `min_tokens` tokens with
 * `finish_reason: "stop"`; otherwise it generates up to the limit (`max_tokens`, or the
 * model's length minus the prompt) and ends with `"length"`. `stop` and `temperature`
 * are accepted and do not change the output.
 *
 * Every answer goes through `answer()`, the one place a fault injector can hook in later.
 *
 * @module
 */

import type { TextTokenizer } from "../../workload/tokenizer.ts";
import { promptBlockHashes } from "../../workload/tokenizer.ts";
import {
  errorBody,
  type FinishReason,
  type KvTransferParams,
  PULL_FIELDS,
  SSE_DONE,
} from "../vllm/protocol.ts";
import {
  type ApiKind,
  type GenerationRequest,
  parseGenerationRequest,
  RequestFieldError,
} from "../vllm/request_fields.ts";
import type { EngineLoop } from "./engine_loop.ts";
import { type Job, JobMode, type JobModeValue, type JobSink } from "./job.ts";
import { logMs, type RequestLog, type RequestLogEntry } from "./request_log.ts";
import {
  ChunkWriter,
  FILLER_PERIOD,
  responseBody,
  type ResponseHead,
  usageOf,
} from "./responses.ts";

/** What the generation routes need from the server. */
export interface GenerateContext {
  /** The engine. */
  readonly loop: EngineLoop;
  /** The model's tokenizer. */
  readonly tokenizer: TextTokenizer;
  /** The served model name. */
  readonly servedModel: string;
  /** Longest prompt + output. */
  readonly maxModelLen: number;
  /** Tokens per KV block. */
  readonly blockSize: number;
  /** Whether P/D hand-offs are on (a KV connector is configured). */
  readonly kvConnector: boolean;
  /** Where request lines go. */
  readonly requestLog?: RequestLog;
  /** Log lines. */
  readonly log: (line: string) => void;
  /** A unique id for a request on this engine. */
  readonly nextId: () => number;
}

const MODE_NAME = ["local", "prefill", "pull"] as const;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Handles one generation request. */
export async function generate(
  api: ApiKind,
  req: Request,
  ctx: GenerateContext,
): Promise<Response> {
  const route = api === "chat" ? "/v1/chat/completions" : "/v1/completions";
  const xRequestId = req.headers.get("x-request-id");
  const entry = (e: Partial<RequestLogEntry>): RequestLogEntry => ({
    x_request_id: xRequestId,
    id: null,
    route,
    status: 200,
    outcome: "ok",
    finish_reason: null,
    error: null,
    stream: false,
    prompt_tokens: null,
    cached_tokens: null,
    max_tokens: null,
    completion_tokens: null,
    mode: null,
    kv_transfer_params_in: false,
    kv_transfer_params_out: false,
    arrival_ms: null,
    ttft_ms: null,
    e2e_ms: null,
    ...e,
  });
  const reject = (status: number, text: string, param: string | null, e = {}) => {
    ctx.requestLog?.write(entry({ status, outcome: "rejected", error: text, ...e }));
    return answer(Response.json(errorBody(status, text, param), { status }));
  };
  let body: unknown;
  try {
    body = JSON.parse(await req.text());
  } catch (e) {
    return reject(400, `Invalid JSON body: ${message(e)}`, null);
  }
  let g: GenerationRequest;
  try {
    g = parseGenerationRequest(api, body);
  } catch (e) {
    if (e instanceof RequestFieldError) return reject(400, e.message, e.param);
    throw e;
  }
  const common = { stream: g.stream, max_tokens: g.maxTokens ?? null };
  if (g.model !== undefined && g.model !== ctx.servedModel) {
    return reject(404, `The model \`${g.model}\` does not exist.`, "model", common);
  }
  let ids: readonly number[];
  try {
    const tok = ctx.tokenizer;
    if (api === "chat") {
      ids = tok.encode(tok.renderChat(g.messages!, g.addGenerationPrompt), g.addSpecialTokens);
    } else {ids = typeof g.prompt === "string"
        ? tok.encode(g.prompt, g.addSpecialTokens)
        : g.prompt!;}
  } catch (e) {
    return reject(400, message(e), api === "chat" ? "messages" : "prompt", common);
  }
  const promptTokens = ids.length, L = ctx.maxModelLen;
  const promptParam = api === "chat" ? "messages" : "prompt";
  const sized = { ...common, prompt_tokens: promptTokens };
  if (promptTokens === 0) return reject(400, "The prompt is empty.", promptParam, sized);
  if (promptTokens >= L) {
    return reject(
      400,
      `This model's maximum context length is ${L} tokens. However, your request has ` +
        `${promptTokens} input tokens. Please reduce the length of the input messages.`,
      promptParam,
      sized,
    );
  }
  if (g.maxTokens !== undefined && promptTokens + g.maxTokens > L) {
    return reject(
      400,
      `'max_tokens' or 'max_completion_tokens' is too large: ${g.maxTokens}. This model's ` +
        `maximum context length is ${L} tokens and your request has ${promptTokens} input ` +
        `tokens (${g.maxTokens} > ${L} - ${promptTokens}).`,
      api === "chat" && (body as Record<string, unknown>).max_completion_tokens !== undefined
        ? "max_completion_tokens"
        : "max_tokens",
      sized,
    );
  }
  const kv = g.kvTransferParams;
  let mode: JobModeValue = JobMode.Local;
  if (kv && ctx.kvConnector) {
    if (kv.do_remote_decode === true) mode = JobMode.Prefill;
    else if (kv.do_remote_prefill === true) {
      const missing = PULL_FIELDS.filter((k) => kv[k] === undefined || kv[k] === null);
      if (missing.length === 0) mode = JobMode.Pull;
      else ctx.log(`kv: kv_transfer_params lack ${missing.join(", ")}; prefilling locally`);
    }
  }
  const limit = g.maxTokens ?? L - promptTokens;
  let outputTokens = g.minTokens > 0 && !g.ignoreEos && g.minTokens < limit ? g.minTokens : limit;
  if (mode === JobMode.Prefill) outputTokens = 1;
  const head: ResponseHead = {
    id: (api === "chat" ? "chatcmpl-" : "cmpl-") + (xRequestId ?? randomId()),
    created: Math.floor(Date.now() / 1000),
    model: ctx.servedModel,
    api,
  };
  const spec = {
    requestId: `${head.id}-${ctx.nextId()}`,
    promptTokens,
    blocks: promptBlockHashes(ids, ctx.blockSize),
    outputTokens,
    maxTokens: mode === JobMode.Prefill ? 1 : limit,
    mode,
    stream: g.stream,
    kvParams: mode === JobMode.Pull ? kv : undefined,
  };
  const finishOf = (): FinishReason =>
    mode !== JobMode.Prefill && outputTokens < limit ? "stop" : "length";
  const logDone = (job: Job, status: number) =>
    ctx.requestLog?.write(entry({
      ...sized,
      id: head.id,
      status,
      outcome: job.finish === "abort" ? "abort" : job.finish === "error" ? "error" : "ok",
      finish_reason: job.finish === "stop" || job.finish === "length" ? job.finish : null,
      error: job.error || null,
      cached_tokens: job.cachedTokens,
      completion_tokens: job.emitted,
      mode: MODE_NAME[mode],
      kv_transfer_params_in: kv !== undefined,
      kv_transfer_params_out: mode === JobMode.Prefill && job.connector !== undefined,
      arrival_ms: logMs(job.arrivalMs),
      ttft_ms: logMs(job.firstTokenMs - job.arrivalMs),
      e2e_ms: logMs(job.endMs - job.arrivalMs),
    }));
  if (g.stream) return answer(streamed(ctx.loop, spec, head, g, finishOf(), logDone));
  const done = Promise.withResolvers<Job>();
  const job = ctx.loop.submit(spec, { tokens() {}, done: (j) => done.resolve(j) });
  const onAbort = () => ctx.loop.abort(job);
  req.signal.addEventListener("abort", onAbort);
  await done.promise;
  req.signal.removeEventListener("abort", onAbort);
  if (job.finish === "error" || job.finish === "abort") {
    logDone(job, 500);
    const why = job.finish === "abort"
      ? "The client went away"
      : `KV transfer failed: ${job.error}`;
    return answer(Response.json(errorBody(500, why), { status: 500 }));
  }
  logDone(job, 200);
  const params = mode === JobMode.Prefill ? (job.connector as KvTransferParams) ?? null : null;
  const usage = usageOf(promptTokens, job.emitted, job.cachedTokens);
  return answer(Response.json(responseBody(head, job.emitted, finishOf(), usage, params)));
}

function streamed(
  loop: EngineLoop,
  spec: Parameters<EngineLoop["submit"]>[0],
  head: ResponseHead,
  g: GenerationRequest,
  finish: FinishReason,
  logDone: (job: Job, status: number) => void,
): Response {
  const writer = new ChunkWriter(head);
  const enc = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;
  const send = (s: string) => {
    if (!open || s === "") return;
    try {
      controller.enqueue(enc.encode(s));
    } catch {
      open = false;
    }
  };
  // A stream's token chunks differ only by the filler word: encode each once.
  const cached: (Uint8Array | undefined)[] = [];
  const sink: JobSink = {
    tokens(job, from, to) {
      if (from === 0) send(writer.role());
      const last = job.spec.outputTokens;
      for (let k = from + 1; k <= to && open; k++) {
        if (k === last) {
          send(writer.token(k, finish));
          continue;
        }
        const i = (k - 1) % FILLER_PERIOD;
        const bytes = cached[i] ??= enc.encode(writer.token(k, null));
        try {
          controller.enqueue(bytes);
        } catch {
          open = false;
        }
      }
    },
    done(job) {
      logDone(job, 200);
      if (job.finish === "error") {
        send(writer.error(errorBody(500, `KV transfer failed: ${job.error}`)));
      } else if (job.finish !== "abort") {
        if (g.includeUsage) {
          send(writer.usage(usageOf(spec.promptTokens, job.emitted, job.cachedTokens)));
        }
        send(SSE_DONE);
      }
      if (open) {
        open = false;
        try {
          controller.close();
        } catch { /* the client went away */ }
      }
    },
  };
  const ref: { job?: Job } = {};
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel() {
      open = false;
      if (ref.job) loop.abort(ref.job);
    },
  });
  ref.job = loop.submit(spec, sink);
  return new Response(body, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" },
  });
}

/** The one exit of every generation answer (a fault injector wraps it later). */
function answer(r: Response): Response {
  return r;
}

function randomId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
