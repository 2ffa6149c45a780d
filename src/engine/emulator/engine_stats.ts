/**
 * What the emulated engine counts, in model time: vLLM's counters and histograms (written
 * to `/metrics` by `metrics_text.ts`), and the emulator's own token-timing error (actual
 * emission time − the model's due time), kept at 0.01 ms resolution for exact quantiles.
 *
 * @module
 */

import { VLLM_BUCKETS } from "../vllm/metric_names.ts";

/** Observations in fixed buckets, as a Prometheus histogram holds them. */
export class BucketHistogram {
  /** Upper bounds, ascending. */
  readonly bounds: readonly number[];
  /** Observations per bucket; the last counts values above every bound. */
  readonly counts: Float64Array;
  /** Sum of the observed values. */
  sum = 0;

  /** A histogram over `bounds`. */
  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Adds `n` observations of `value`. */
  observe(value: number, n = 1): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > b[i]) i++;
    this.counts[i] += n;
    this.sum += value * n;
  }

  /** Observations so far. */
  get count(): number {
    let c = 0;
    for (const x of this.counts) c += x;
    return c;
  }
}

/** Token-timing error quantiles, model ms. */
export interface LatenessSummary {
  /** Tokens measured. */
  readonly tokens: number;
  /** Median error, ms. */
  readonly p50Ms: number;
  /** 90th percentile, ms. */
  readonly p90Ms: number;
  /** 99th percentile, ms. */
  readonly p99Ms: number;
  /** 99.9th percentile, ms. */
  readonly p999Ms: number;
  /** Largest error, ms. */
  readonly maxMs: number;
}

const LATE_STEP_MS = 0.01;
const LATE_BINS = 20_000; // 0 … 200 ms at 0.01 ms; beyond: the last bin, and the max is kept

/** Token-timing errors (actual − due, model ms) at 0.01 ms resolution. */
export class LatenessHistogram {
  readonly #bins = new Uint32Array(LATE_BINS + 1);
  #n = 0;
  #max = 0;

  /** Records one token's error (negative errors count as 0: never early by design). */
  record(ms: number): void {
    const i = ms <= 0 ? 0 : Math.min(LATE_BINS, Math.floor(ms / LATE_STEP_MS));
    this.#bins[i]++;
    this.#n++;
    if (ms > this.#max) this.#max = ms;
  }

  /** Forgets everything (a measurement window starts). */
  reset(): void {
    this.#bins.fill(0);
    this.#n = 0;
    this.#max = 0;
  }

  /** The quantiles so far (upper bin edges, so a bound: p99 ≤ the figure). */
  summary(): LatenessSummary {
    const q = (p: number) => {
      if (this.#n === 0) return 0;
      const target = Math.ceil(p * this.#n);
      let cum = 0;
      for (let i = 0; i <= LATE_BINS; i++) {
        cum += this.#bins[i];
        if (cum >= target) return i === LATE_BINS ? this.#max : (i + 1) * LATE_STEP_MS;
      }
      return this.#max;
    };
    const round = (x: number) => Math.round(x * 1000) / 1000;
    return {
      tokens: this.#n,
      p50Ms: round(q(0.5)),
      p90Ms: round(q(0.9)),
      p99Ms: round(q(0.99)),
      p999Ms: round(q(0.999)),
      maxMs: round(this.#max),
    };
  }
}

/** Why a request ended, as `vllm:request_success_total{finished_reason}` labels it. */
export type FinishedReason = "stop" | "length" | "abort" | "error";

/** The engine's counters and histograms, model time. */
export class EngineStats {
  /** Prompt tokens of scheduled requests. */
  promptTokens = 0;
  /** Tokens generated. */
  generationTokens = 0;
  /** Prompt tokens looked up in the prefix cache. */
  prefixQueries = 0;
  /** Prompt tokens found there. */
  prefixHits = 0;
  /** Preemptions (always 0: the scheduler reserves a request's KV whole on admission). */
  readonly preemptions = 0;
  /** Finished requests per reason. */
  readonly finished: Record<FinishedReason, number> = { stop: 0, length: 0, abort: 0, error: 0 };
  /** Arrival → first token. */
  readonly ttft: BucketHistogram = new BucketHistogram(VLLM_BUCKETS.ttft);
  /** Gaps between consecutive output tokens. */
  readonly itl: BucketHistogram = new BucketHistogram(VLLM_BUCKETS.itl);
  /** Arrival → last token. */
  readonly e2e: BucketHistogram = new BucketHistogram(VLLM_BUCKETS.request);
  /** Arrival → scheduled. */
  readonly queue: BucketHistogram = new BucketHistogram(VLLM_BUCKETS.request);
  /** Scheduled → first token. */
  readonly prefill: BucketHistogram = new BucketHistogram(VLLM_BUCKETS.request);
  /** First → last token. */
  readonly decode: BucketHistogram = new BucketHistogram(VLLM_BUCKETS.request);
  /** Scheduled → last token. */
  readonly inference: BucketHistogram = new BucketHistogram(VLLM_BUCKETS.request);
  /** KV pulls' transfer time (decode side). */
  readonly nixlXfer: BucketHistogram = new BucketHistogram(VLLM_BUCKETS.ttft);
  /** KV pulls that failed (decode side). */
  nixlFailed = 0;
  /** Token-timing error of every token emitted. */
  readonly lateness: LatenessHistogram = new LatenessHistogram();
  /**
   * How late the loop's timer woke it, model ms: the part of the token-timing error that
   * is the machine's (thread wake-up under load), not the emulator's work.
   */
  readonly wake: LatenessHistogram = new LatenessHistogram();
  /**
   * How long after the loop woke each streamed token went out, model ms: the emulator's
   * own share of the token-timing error (its work for the streams ahead of it).
   */
  readonly work: LatenessHistogram = new LatenessHistogram();
}
