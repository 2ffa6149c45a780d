/**
 * Folds per-request records into a run summary: latency distributions, SLO
 * attainment, goodput and prefix-cache hit rate, in constant memory.
 *
 * @module
 */

import type { RequestRecord } from "../core/record.ts";
import { ShedReason } from "../core/record.ts";
import { type DistributionSummary, LogHistogram } from "./histogram.ts";

/** Service-level objectives a request must meet to count as good. */
export interface Slo {
  /** TTFT objective, ms. */
  readonly ttftMs: number;
  /** TPOT objective, ms. */
  readonly tpotMs: number;
}

/** One policy's results on one run. */
export interface RunSummary {
  /** Policy name. */
  policy: string;
  /** Requests that completed. */
  completed: number;
  /** Requests shed (never served). */
  shed: number;
  /** Time to first token, ms. */
  ttftMs: DistributionSummary;
  /** Time per output token, ms (requests with more than one output token). */
  tpotMs: DistributionSummary;
  /** Arrival to last token, ms. */
  e2eMs: DistributionSummary;
  /** Decode migrations performed. */
  migrations: number;
  /** Prompt tokens served from prefix caches ÷ prompt tokens, over routed requests. */
  prefixHitRate: number;
  /** Fraction of all requests (shed included) that met both SLOs. */
  sloAttainment: number;
  /** Requests meeting both SLOs per second of the run (first arrival → last token). */
  goodputRps: number;
  /** First arrival → last token, ms. */
  durationMs: number;
  /** Requests ÷ the arrival window (first → last arrival), per second: the load offered. */
  offeredRps: number;
}

/**
 * Accumulates {@linkcode RequestRecord}s.
 *
 * @example
 * ```ts
 * import { Recorder } from "./recorder.ts";
 * import { createRequestRecord } from "../core/record.ts";
 * const rec = new Recorder({ ttftMs: 100, tpotMs: 10 });
 * const r = createRequestRecord();
 * Object.assign(r, { outputTokens: 3, promptTokens: 8, ttftMs: 50, tpotMs: 5, e2eMs: 60 });
 * rec.add(r);
 * const s = rec.summary("demo", 0);
 * if (s.completed !== 1 || s.sloAttainment !== 1) throw new Error("miscounted");
 * ```
 */
export class Recorder {
  readonly #slo: Slo;
  #ttft = new LogHistogram();
  #tpot = new LogHistogram();
  #e2e = new LogHistogram();
  #completed = 0;
  #shed = 0;
  #good = 0;
  #promptTokens = 0;
  #cachedTokens = 0;
  #firstArrivalMs = Infinity;
  #lastArrivalMs = -Infinity;
  #lastEndMs = -Infinity;

  /**
   * Creates an empty recorder.
   *
   * @param slo The objectives used for attainment and goodput.
   */
  constructor(slo: Slo) {
    this.#slo = slo;
  }

  /** Whether a completed record met both objectives. */
  meetsSlo(r: RequestRecord): boolean {
    return r.shedReason === ShedReason.None && r.ttftMs <= this.#slo.ttftMs &&
      (r.outputTokens <= 1 || r.tpotMs <= this.#slo.tpotMs);
  }

  /** Adds one record (the record may be reused by the caller afterwards). */
  add(r: RequestRecord): void {
    if (r.arrivalMs < this.#firstArrivalMs) this.#firstArrivalMs = r.arrivalMs;
    if (r.arrivalMs > this.#lastArrivalMs) this.#lastArrivalMs = r.arrivalMs;
    if (r.shedReason !== ShedReason.None) {
      this.#shed++;
      if (r.arrivalMs > this.#lastEndMs) this.#lastEndMs = r.arrivalMs;
      return;
    }
    this.#completed++;
    this.#ttft.add(r.ttftMs);
    if (r.outputTokens > 1) this.#tpot.add(r.tpotMs);
    this.#e2e.add(r.e2eMs);
    this.#promptTokens += r.promptTokens;
    this.#cachedTokens += r.cachedTokens;
    if (this.meetsSlo(r)) this.#good++;
    const end = r.arrivalMs + r.e2eMs;
    if (end > this.#lastEndMs) this.#lastEndMs = end;
  }

  /** The summary so far. */
  summary(policy: string, migrations: number): RunSummary {
    const total = this.#completed + this.#shed;
    const durationMs = total > 0 ? this.#lastEndMs - this.#firstArrivalMs : 0;
    return {
      policy,
      completed: this.#completed,
      shed: this.#shed,
      ttftMs: this.#ttft.summary(),
      tpotMs: this.#tpot.summary(),
      e2eMs: this.#e2e.summary(),
      migrations,
      prefixHitRate: this.#promptTokens > 0 ? this.#cachedTokens / this.#promptTokens : 0,
      sloAttainment: total > 0 ? this.#good / total : 0,
      goodputRps: durationMs > 0 ? this.#good / (durationMs / 1000) : 0,
      durationMs,
      offeredRps: total > 1 && this.#lastArrivalMs > this.#firstArrivalMs
        ? (total - 1) / ((this.#lastArrivalMs - this.#firstArrivalMs) / 1000)
        : 0,
    };
  }
}
