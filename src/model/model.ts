/**
 * Engine timing model: how long one continuous-batching step takes on one worker,
 * and how long a KV hand-off takes. Plain data ({@linkcode ModelPreset}) plus pure
 * functions; presets live in `presets.ts` with their sources.
 *
 * Step time (Vidur's decomposition, `vidur/entities/execution_time.py`, reduced to
 * three terms):
 * - dense part: per-step forward time of the non-attention operators for `t` batched
 *   tokens, interpolated from a measured table (Vidur operator profiles), plus the
 *   LM head once per step that emits tokens;
 * - prefill attention: `(4·n·c + 2·n²)·L·d` FLOPs for a chunk of `n` new tokens after
 *   `c` cached/earlier tokens, at a fraction of peak tensor FLOP/s;
 * - decode attention: every running sequence reads its whole KV cache once per step,
 *   `Σctx · kvBytesPerToken` bytes at a fraction of HBM bandwidth.
 *
 * @module
 */

/** A GPU's public specs. */
export interface GpuSpec {
  /** Marketing name. */
  readonly name: string;
  /** Dense bf16 tensor throughput, FLOP/s. */
  readonly peakFlopsPerS: number;
  /** HBM bandwidth, bytes/s. */
  readonly hbmBytesPerS: number;
  /** HBM capacity, bytes. */
  readonly memoryBytes: number;
}

/** A KV transfer link between a prefill and a decode worker. */
export interface LinkSpec {
  /** Fixed cost per transfer, ms. */
  readonly latencyMs: number;
  /** Effective bandwidth, bytes/s. */
  readonly bytesPerS: number;
}

/** Everything the simulator needs to time one worker (one GPU or TP group). */
export interface ModelPreset {
  /** Preset name, e.g. `llama3-8b-h100`. */
  readonly name: string;
  /** One line for `--help`. */
  readonly description: string;
  /** Transformer layers. */
  readonly layers: number;
  /** Hidden size (attention FLOPs use it). */
  readonly hiddenSize: number;
  /** KV cache bytes per token: 2 × layers × kv heads × head dim × bytes per value. */
  readonly kvBytesPerToken: number;
  /** Weight bytes resident on the worker. */
  readonly weightsBytes: number;
  /** The GPU. */
  readonly gpu: GpuSpec;
  /** Batched-token counts of the dense-time table, ascending. */
  readonly denseTokens: readonly number[];
  /** Dense (non-attention) forward time per step at `denseTokens`, ms. */
  readonly denseMs: readonly number[];
  /** LM head time per step that emits tokens, ms. */
  readonly lmHeadMs: number;
  /** Scheduler/CPU overhead per step, ms. */
  readonly stepOverheadMs: number;
  /** Fraction of peak FLOP/s reached by prefill attention. */
  readonly attentionMfu: number;
  /** Fraction of HBM bandwidth reached by decode attention KV reads. */
  readonly hbmEfficiency: number;
  /** Fraction of HBM the engine may use (vLLM `--gpu-memory-utilization`). */
  readonly gpuMemoryUtilization: number;
  /** Bytes reserved for activations and CUDA graphs. */
  readonly activationReserveBytes: number;
  /** Token budget of one step (vLLM `max_num_batched_tokens`). */
  readonly maxBatchedTokens: number;
  /** Running sequences per worker (vLLM `max_num_seqs`). */
  readonly maxNumSeqs: number;
  /** P/D KV hand-off link. */
  readonly link: LinkSpec;
}

/**
 * KV capacity of one worker in tokens: usable HBM after weights and activations,
 * divided by KV bytes per token.
 *
 * @example
 * ```ts
 * import { kvCapacityTokens } from "./model.ts";
 * import { LLAMA3_8B_H100 } from "./presets.ts";
 * const tokens = kvCapacityTokens(LLAMA3_8B_H100);
 * if (tokens < 300_000 || tokens > 600_000) throw new Error("implausible capacity");
 * ```
 */
export function kvCapacityTokens(p: ModelPreset): number {
  const usable = p.gpu.memoryBytes * p.gpuMemoryUtilization - p.weightsBytes -
    p.activationReserveBytes;
  return Math.max(0, Math.floor(usable / p.kvBytesPerToken));
}

/** Dense (non-attention) step time for `tokens` batched tokens, ms (0 for 0 tokens). */
export function denseMs(p: ModelPreset, tokens: number): number {
  if (tokens <= 0) return 0;
  const xs = p.denseTokens, ys = p.denseMs;
  const last = xs.length - 1;
  if (tokens <= xs[0]) return ys[0];
  if (tokens >= xs[last]) {
    const slope = (ys[last] - ys[last - 1]) / (xs[last] - xs[last - 1]);
    return ys[last] + (tokens - xs[last]) * slope;
  }
  let i = 1;
  while (xs[i] < tokens) i++;
  const f = (tokens - xs[i - 1]) / (xs[i] - xs[i - 1]);
  return ys[i - 1] + f * (ys[i] - ys[i - 1]);
}

/**
 * The one step-time formula: the engine's per-step overhead, the dense forward time of
 * `batchedTokens` tokens, the step's attention time (`attentionMs`: prefill attention
 * of its chunks plus decode KV reads), and the LM head when the step emits tokens, ms.
 * Every step time in pdrouter (prefill steps, decode steps, mixed steps, policies'
 * estimates) is built from it.
 *
 * @example
 * ```ts
 * import { stepMs } from "./model.ts";
 * import { LLAMA3_8B_H100 } from "./presets.ts";
 * const idle = stepMs(LLAMA3_8B_H100, 0, 0, false);
 * if (idle !== LLAMA3_8B_H100.stepOverheadMs) throw new Error("an empty step costs the overhead");
 * ```
 */
export function stepMs(
  p: ModelPreset,
  batchedTokens: number,
  attentionMs: number,
  emitsTokens: boolean,
): number {
  return p.stepOverheadMs + denseMs(p, batchedTokens) + attentionMs +
    (emitsTokens ? p.lmHeadMs : 0);
}

/** Attention time of a prefill chunk of `newTokens` after `priorTokens` of context, ms. */
export function prefillAttentionMs(p: ModelPreset, newTokens: number, priorTokens: number): number {
  const flops = (4 * newTokens * priorTokens + 2 * newTokens * newTokens) * p.layers *
    p.hiddenSize;
  return flops / (p.gpu.peakFlopsPerS * p.attentionMfu) * 1000;
}

/** Decode attention time per KV token read in one step, ms. */
export function kvReadMsPerToken(p: ModelPreset): number {
  return p.kvBytesPerToken / (p.gpu.hbmBytesPerS * p.hbmEfficiency) * 1000;
}

/** Time to move `tokens` tokens of KV cache over the P/D link, ms. */
export function kvTransferMs(p: ModelPreset, tokens: number): number {
  return p.link.latencyMs + tokens * p.kvBytesPerToken / p.link.bytesPerS * 1000;
}

/**
 * Time to prefill `uncachedTokens` after `cachedTokens` on an idle worker, chunked by
 * `maxBatchedTokens`, ms. A lower bound on any request's time to first token.
 */
export function standalonePrefillMs(
  p: ModelPreset,
  uncachedTokens: number,
  cachedTokens: number,
  lmHead = true,
): number {
  let ms = 0, done = 0;
  while (done < uncachedTokens) {
    const chunk = Math.min(p.maxBatchedTokens, uncachedTokens - done);
    const last = done + chunk >= uncachedTokens;
    ms += stepMs(p, chunk, prefillAttentionMs(p, chunk, cachedTokens + done), lmHead && last);
    done += chunk;
  }
  return ms;
}

/**
 * Average prefill cost per token for a prompt of `promptTokens` on an idle worker, ms.
 * Policies use it to turn queued tokens into an estimated wait.
 *
 * `lmHead` adds the LM head of the step that emits the first token, as the engine
 * pays it. The default (`false`) leaves it out, reproducing the estimate policies
 * were given before the execution model was shared (the realism issue flips it).
 */
export function prefillMsPerToken(p: ModelPreset, promptTokens = 2048, lmHead = false): number {
  return standalonePrefillMs(p, promptTokens, 0, lmHead) / promptTokens;
}
