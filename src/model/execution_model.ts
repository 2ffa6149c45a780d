/**
 * The execution model: how long one engine step takes, how much KV a token costs,
 * how much fits, and how long a KV hand-off takes. One implementation of the timing
 * formula (`stepMs` in `model.ts`), shared by the simulator's and the emulator's
 * engine schedulers (`src/worker/`) and by the estimates policies are given.
 *
 * Decode steps are linear in context: a step of `B` sequences reading `S` KV tokens in
 * all lasts `decodeBaseMs(B) + kvReadMsPerToken · S` (the per-sequence CPU overhead and
 * the all-reduces depend on `B` only). The decode scheduler relies on that shape to
 * compute step ends in closed form between batch changes.
 *
 * @module
 */

import {
  allReduceMs,
  denseMs,
  frontEndMs,
  kvCapacityTokens,
  kvReadMsPerToken,
  kvTransferMs,
  type ModelPreset,
  prefillAttentionMs,
  prefillMsPerToken,
  standalonePrefillMs,
  stepMs,
} from "./model.ts";

/** Step times, KV sizes and capacity of one worker (one GPU or tensor-parallel group). */
export interface ExecutionModel {
  /** The preset's name, e.g. `llama3-8b-h100`. */
  readonly name: string;
  /** The preset the model times. */
  readonly preset: ModelPreset;
  /** Token budget of one step (vLLM `max_num_batched_tokens`). */
  readonly maxBatchedTokens: number;
  /** Running sequences per worker (vLLM `max_num_seqs`). */
  readonly maxNumSeqs: number;
  /** GPUs per worker (vLLM `--tensor-parallel-size`). */
  readonly tensorParallel: number;
  /** KV cache bytes per token. */
  readonly kvBytesPerToken: number;
  /** KV capacity of one worker, tokens. */
  readonly kvCapacityTokens: number;
  /** Decode attention time per KV token read in one step, ms. */
  readonly kvReadMsPerToken: number;
  /**
   * One step batching `batchedTokens` tokens with `attentionMs` of attention, emitting
   * tokens or not (LM head), with `sequences` running sequences (default 0), ms.
   */
  stepMs(
    batchedTokens: number,
    attentionMs: number,
    emitsTokens: boolean,
    sequences?: number,
  ): number;
  /** The context-independent part of a decode step of `batch` sequences, ms. */
  decodeBaseMs(batch: number): number;
  /** A decode step of `batch` sequences reading `contextTokens` KV tokens in all, ms. */
  decodeStepMs(batch: number, contextTokens: number): number;
  /** Attention of a prefill chunk of `newTokens` after `priorTokens` of context, ms. */
  prefillAttentionMs(newTokens: number, priorTokens: number): number;
  /**
   * Extra time a step of `decodeBatch` decoding sequences takes when it also computes
   * `prefillTokens` prompt tokens with `attentionMs` of prefill attention, ms.
   */
  mixedStepExtraMs(decodeBatch: number, prefillTokens: number, attentionMs: number): number;
  /** Time to move `tokens` tokens of KV over the P/D link, ms. */
  transferMs(tokens: number): number;
  /**
   * Time the engine's front end (API server, tokenisation) spends on a request of
   * `promptTokens` before the engine sees it, ms. One tokeniser serves an engine, so a
   * driver queues requests for it.
   */
  frontEndMs(promptTokens: number): number;
  /** Prefill of `uncachedTokens` after `cachedTokens` on an idle worker, chunked, ms. */
  standalonePrefillMs(uncachedTokens: number, cachedTokens: number): number;
  /** Average prefill cost per uncached token, for policies' wait estimates, ms. */
  prefillMsPerToken(promptTokens?: number): number;
}

/** Options of {@linkcode createExecutionModel}. */
export interface ExecutionModelOptions {
  /**
   * Whether `prefillMsPerToken` counts the LM head of the step that emits the first
   * token, as the engine pays it. Default `true`; `false` gives the estimate policies
   * were given before the model was calibrated.
   */
  readonly estimateLmHead?: boolean;
}

/**
 * The analytic model of a {@linkcode ModelPreset}: measured dense-operator times,
 * FLOP-bound prefill attention, bandwidth-bound decode attention, a CPU overhead per
 * step and per running sequence, the LM head, tensor-parallel all-reduces, a front-end
 * cost per request, and the connector's setup + descriptors + bytes ÷ bandwidth
 * transfer.
 *
 * @example
 * ```ts
 * import { createExecutionModel } from "./execution_model.ts";
 * import { LLAMA3_8B_H100 } from "./presets.ts";
 * const m = createExecutionModel(LLAMA3_8B_H100);
 * const one = m.decodeStepMs(1, 1024);
 * const many = m.decodeStepMs(64, 64 * 1024);
 * if (!(many > one)) throw new Error("a bigger batch takes longer");
 * ```
 * @throws {RangeError} When the preset leaves no KV capacity.
 */
export function createExecutionModel(
  preset: ModelPreset,
  options: ExecutionModelOptions = {},
): ExecutionModel {
  const capacity = kvCapacityTokens(preset);
  if (!(capacity > 0)) {
    throw new RangeError(
      `Cannot create execution model: preset '${preset.name}' leaves no KV capacity, got ${capacity}`,
    );
  }
  return new AnalyticModel(preset, capacity, options.estimateLmHead ?? true);
}

/** The analytic {@linkcode ExecutionModel} (a class, so that its calls stay cheap). */
class AnalyticModel implements ExecutionModel {
  readonly name: string;
  readonly preset: ModelPreset;
  readonly maxBatchedTokens: number;
  readonly maxNumSeqs: number;
  readonly tensorParallel: number;
  readonly kvBytesPerToken: number;
  readonly kvCapacityTokens: number;
  readonly kvReadMsPerToken: number;
  readonly #lmHead: boolean;
  /** `decodeBaseMs` by batch size, filled on first use (`-1`: not yet). */
  readonly #base: Float64Array;
  readonly #frontMs: number;
  readonly #frontPerTokenMs: number;

  constructor(preset: ModelPreset, capacity: number, lmHead: boolean) {
    this.name = preset.name;
    this.preset = preset;
    this.maxBatchedTokens = preset.maxBatchedTokens;
    this.maxNumSeqs = preset.maxNumSeqs;
    this.tensorParallel = preset.tensorParallel;
    this.kvBytesPerToken = preset.kvBytesPerToken;
    this.kvCapacityTokens = capacity;
    this.kvReadMsPerToken = kvReadMsPerToken(preset);
    this.#lmHead = lmHead;
    this.#base = new Float64Array(preset.maxNumSeqs + 1).fill(-1);
    // frontEndMs of model.ts, with the preset's two constants read once.
    this.#frontMs = frontEndMs(preset, 0);
    this.#frontPerTokenMs = preset.frontEnd.perTokenMs;
  }

  stepMs(tokens: number, attentionMs: number, emits: boolean, sequences = 0): number {
    return stepMs(this.preset, tokens, attentionMs, emits, sequences);
  }

  decodeBaseMs(batch: number): number {
    const cache = this.#base;
    if (batch < cache.length) {
      const ms = cache[batch];
      if (ms >= 0) return ms;
      return cache[batch] = stepMs(this.preset, batch, 0, batch > 0, batch);
    }
    return stepMs(this.preset, batch, 0, batch > 0, batch);
  }

  decodeStepMs(batch: number, contextTokens: number): number {
    return this.decodeBaseMs(batch) + this.kvReadMsPerToken * contextTokens;
  }

  prefillAttentionMs(newTokens: number, priorTokens: number): number {
    return prefillAttentionMs(this.preset, newTokens, priorTokens);
  }

  mixedStepExtraMs(batch: number, tokens: number, attentionMs: number): number {
    const p = this.preset;
    return denseMs(p, batch + tokens) - denseMs(p, batch) + allReduceMs(p, batch + tokens) -
      allReduceMs(p, batch) + attentionMs + (batch === 0 ? p.lmHeadMs : 0);
  }

  transferMs(tokens: number): number {
    return kvTransferMs(this.preset, tokens);
  }

  frontEndMs(promptTokens: number): number {
    return this.#frontMs + this.#frontPerTokenMs * promptTokens;
  }

  standalonePrefillMs(uncached: number, cached: number): number {
    return standalonePrefillMs(this.preset, uncached, cached);
  }

  prefillMsPerToken(promptTokens?: number): number {
    return prefillMsPerToken(this.preset, promptTokens, this.#lmHead);
  }
}
