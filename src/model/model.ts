/**
 * Engine timing model: how long one continuous-batching step takes on one worker (one
 * GPU or a tensor-parallel group), how long a request spends in the engine's front end,
 * and how long a KV hand-off takes. Plain data ({@linkcode ModelPreset}) plus pure
 * functions; presets live in `presets.ts` with their sources, and the calibration test
 * (`calibration_test.ts`) holds them to published measurements.
 *
 * Step time (Vidur's decomposition, `vidur/entities/execution_time.py`), per GPU of the
 * worker (all GPUs of a tensor-parallel group work in lockstep):
 * - CPU overhead: a fixed cost per step plus a cost per running sequence (scheduling,
 *   sampling, output processing);
 * - dense part: forward time of the non-attention operators of the GPU's shard for `t`
 *   batched tokens, interpolated from a measured table, plus the LM head once per step
 *   that emits tokens;
 * - tensor parallelism: two all-reduces of the step's activations per layer
 *   (Megatron-style: after attention and after the MLP), `latency + bytes ÷ bandwidth`;
 * - prefill attention: `(4·n·c + 2·n²)·L·d ÷ TP` FLOPs for a chunk of `n` new tokens
 *   after `c` earlier tokens, at a fraction of peak tensor FLOP/s;
 * - decode attention: every running sequence reads its whole KV cache once per step,
 *   `Σctx · kvBytesPerToken ÷ TP` bytes per GPU at a fraction of HBM bandwidth.
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

/**
 * The P/D KV hand-off as the connector performs it (vLLM's NixlConnector): the decode
 * engine pulls the prompt's KV blocks, one transfer descriptor per KV block per layer.
 * Time = `setupMs + notifyMs + perBlockMs · descriptors + bytes ÷ bytesPerS`, per
 * tensor-parallel rank (ranks pull their shards in parallel).
 */
export interface LinkSpec {
  /** Fixed cost to post one transfer, ms. */
  readonly setupMs: number;
  /** Completion notification to the receiving engine, ms. */
  readonly notifyMs: number;
  /** Cost per transfer descriptor (one KV block of one layer), ms. */
  readonly perBlockMs: number;
  /** Tokens per KV block (vLLM `--block-size` of the P/D engines). */
  readonly blockTokens: number;
  /** Achieved bandwidth of the payload, bytes/s. */
  readonly bytesPerS: number;
}

/** Per-request cost of the engine's front end (API server, tokenisation). */
export interface FrontEndSpec {
  /** Fixed cost per request (HTTP, request validation, hand-off to the engine), ms. */
  readonly requestMs: number;
  /** Tokenisation cost per prompt token, ms. */
  readonly perTokenMs: number;
}

/** One all-reduce among the GPUs of a tensor-parallel group. */
export interface AllReduceSpec {
  /** Fixed cost per all-reduce, ms. */
  readonly latencyMs: number;
  /** Achieved bandwidth for the reduced bytes, bytes/s. */
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
  /** Hidden size (attention FLOPs and all-reduce bytes use it). */
  readonly hiddenSize: number;
  /** KV cache bytes per token of the whole model: 2 × layers × kv heads × head dim × 2 B. */
  readonly kvBytesPerToken: number;
  /** Weight bytes of the whole model (split over the worker's GPUs). */
  readonly weightsBytes: number;
  /** GPUs per worker (vLLM `--tensor-parallel-size`). */
  readonly tensorParallel: number;
  /** The GPU. */
  readonly gpu: GpuSpec;
  /** Batched-token counts of the dense-time table, ascending. */
  readonly denseTokens: readonly number[];
  /** Dense (non-attention) forward time of one GPU's shard per step at `denseTokens`, ms. */
  readonly denseMs: readonly number[];
  /** LM head time per step that emits tokens (one GPU's vocabulary shard), ms. */
  readonly lmHeadMs: number;
  /** CPU overhead per step, ms. */
  readonly stepOverheadMs: number;
  /** CPU overhead per running sequence per step, ms. */
  readonly seqOverheadMs: number;
  /** Fraction of peak FLOP/s reached by prefill attention. */
  readonly attentionMfu: number;
  /** Fraction of HBM bandwidth reached by decode attention KV reads. */
  readonly hbmEfficiency: number;
  /** Tensor-parallel all-reduce (unused when `tensorParallel` is 1). */
  readonly allReduce: AllReduceSpec;
  /** Fraction of HBM the engine may use (vLLM `--gpu-memory-utilization`). */
  readonly gpuMemoryUtilization: number;
  /** Bytes reserved per GPU for activations and CUDA graphs. */
  readonly activationReserveBytes: number;
  /** Token budget of one step (vLLM `max_num_batched_tokens`). */
  readonly maxBatchedTokens: number;
  /** Running sequences per worker (vLLM `max_num_seqs`). */
  readonly maxNumSeqs: number;
  /** The engine's front end (API server and tokeniser). */
  readonly frontEnd: FrontEndSpec;
  /** P/D KV hand-off link. */
  readonly link: LinkSpec;
}

/**
 * KV capacity of one worker in tokens: on each of its GPUs, usable HBM after its weight
 * shard and activations; summed over the GPUs and divided by KV bytes per token.
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
  const tp = p.tensorParallel;
  const perGpu = p.gpu.memoryBytes * p.gpuMemoryUtilization - p.weightsBytes / tp -
    p.activationReserveBytes;
  return Math.max(0, Math.floor(perGpu * tp / p.kvBytesPerToken));
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
 * Tensor-parallel communication of a step of `tokens` batched tokens: two all-reduces
 * of `tokens × hidden` bf16 activations per layer, ms (0 at TP 1 or for 0 tokens).
 */
export function allReduceMs(p: ModelPreset, tokens: number): number {
  if (p.tensorParallel <= 1 || tokens <= 0) return 0;
  const a = p.allReduce;
  return 2 * p.layers * (a.latencyMs + tokens * p.hiddenSize * 2 / a.bytesPerS * 1000);
}

/**
 * The one step-time formula: the engine's CPU overhead (per step, plus per running
 * sequence for `sequences`), the dense forward time and the tensor-parallel all-reduces
 * of `batchedTokens` tokens, the step's attention time (`attentionMs`: prefill attention
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
  sequences = 0,
): number {
  return p.stepOverheadMs + p.seqOverheadMs * sequences + denseMs(p, batchedTokens) +
    allReduceMs(p, batchedTokens) + attentionMs + (emitsTokens ? p.lmHeadMs : 0);
}

/** Attention time of a prefill chunk of `newTokens` after `priorTokens` of context, ms. */
export function prefillAttentionMs(p: ModelPreset, newTokens: number, priorTokens: number): number {
  const flops = (4 * newTokens * priorTokens + 2 * newTokens * newTokens) * p.layers *
    p.hiddenSize / p.tensorParallel;
  return flops / (p.gpu.peakFlopsPerS * p.attentionMfu) * 1000;
}

/** Decode attention time per KV token read in one step (each GPU reads its shard), ms. */
export function kvReadMsPerToken(p: ModelPreset): number {
  return p.kvBytesPerToken / p.tensorParallel / (p.gpu.hbmBytesPerS * p.hbmEfficiency) * 1000;
}

/**
 * Time to move `tokens` tokens of KV cache over the P/D link, ms: the connector's setup
 * and notification, one descriptor per KV block per layer, and each rank's share of the
 * bytes at the achieved bandwidth (the ranks of a tensor-parallel group pull in parallel).
 *
 * @example
 * ```ts
 * import { kvTransferMs } from "./model.ts";
 * import { LLAMA3_8B_H100 } from "./presets.ts";
 * if (!(kvTransferMs(LLAMA3_8B_H100, 4096) > kvTransferMs(LLAMA3_8B_H100, 1024))) {
 *   throw new Error("more KV takes longer");
 * }
 * ```
 */
export function kvTransferMs(p: ModelPreset, tokens: number): number {
  const l = p.link;
  const descriptors = Math.ceil(tokens / l.blockTokens) * p.layers;
  const bytesPerRank = tokens * p.kvBytesPerToken / p.tensorParallel;
  return l.setupMs + l.notifyMs + descriptors * l.perBlockMs + bytesPerRank / l.bytesPerS * 1000;
}

/**
 * Time a request of `promptTokens` spends in the engine's front end before the engine
 * sees it (API server and tokenisation), ms. One tokeniser thread serves an API server,
 * so requests queue for it (the simulator serialises them per worker).
 */
export function frontEndMs(p: ModelPreset, promptTokens: number): number {
  return p.frontEnd.requestMs + p.frontEnd.perTokenMs * promptTokens;
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
 * `lmHead` adds the LM head of the step that emits the first token, as the engine pays
 * it (the default; `false` gives the estimate policies were given before the model was
 * calibrated).
 */
export function prefillMsPerToken(p: ModelPreset, promptTokens = 2048, lmHead = true): number {
  return standalonePrefillMs(p, promptTokens, 0, lmHead) / promptTokens;
}
