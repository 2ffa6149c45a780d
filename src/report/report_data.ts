/**
 * What the plots need, gathered in bounded memory from the same stream of requests,
 * fleet samples and migrations whether it comes live from a simulation or back from an
 * earlier run's CSV files: latency CDFs (from log histograms, as quantile points), pool
 * load over time, per-worker load (for a heat strip) and migrations over time.
 *
 * @module
 */

import type { RequestRecord } from "../core/record.ts";
import { Role } from "../core/types.ts";
import { ShedReason } from "../core/record.ts";
import { LogHistogram } from "../metrics/histogram.ts";
import { poolName, SAMPLE_FIELDS, SampleField } from "../metrics/fleet_sample.ts";
import { TimeBins } from "../metrics/time_bins.ts";

/** One point of an empirical CDF: the fraction `q` of requests at or below `valueMs`. */
export interface CdfPoint {
  /** Latency, ms. */
  valueMs: number;
  /** Fraction of requests at or below it, 0..1. */
  q: number;
}

/** A pool's load in one time bin (means over the bin of the pool's sums). */
export interface PoolPoint {
  /** Start of the bin, ms. */
  tMs: number;
  /** `prefill`, `decode` or `colocated`. */
  pool: string;
  /** Requests waiting. */
  queued: number;
  /** Requests running. */
  running: number;
  /** Uncached prompt tokens still to compute. */
  queuedPrefillTokens: number;
  /** KV tokens used ÷ capacity over the pool. */
  kvUsageFrac: number;
}

/**
 * One cell of the per-worker load heat strip: a prefill worker's queued prefill tokens,
 * or a decode (or colocated) worker's KV usage fraction, averaged over the cell.
 */
export interface HeatCell {
  /** Start of the cell, ms. */
  tMs: number;
  /** Width of the cell, ms. */
  widthMs: number;
  /** Worker id. */
  worker: number;
  /** The worker's pool. */
  pool: string;
  /** Queued prefill tokens (prefill workers) or KV usage fraction (others). */
  value: number;
}

/** Cumulative migrations at a time. */
export interface MigrationPoint {
  /** Time, ms (migrations counted when decided). */
  tMs: number;
  /** Migrations decided up to `tMs`. */
  cumulative: number;
}

/** Plot data of one policy in one run. */
export interface SeriesData {
  /** Display name: the policy, or `run · policy` when several runs are overlaid. */
  name: string;
  /** Run label. */
  run: string;
  /** Policy name. */
  policy: string;
  /** Requests seen (completed and shed). */
  requests: number;
  /** TTFT CDF (completed requests). */
  ttftCdf: CdfPoint[];
  /** TPOT CDF (completed requests with more than one output token). */
  tpotCdf: CdfPoint[];
  /** Pool load over time, in at most {@linkcode POOL_POINTS} points per pool. */
  pools: PoolPoint[];
  /** Per-worker load over time, in at most {@linkcode HEAT_COLUMNS} columns. */
  heat: HeatCell[];
  /** Cumulative migrations over time. */
  migrations: MigrationPoint[];
}

/** Plot data of a whole report. */
export interface ReportData {
  /** One entry per (run, policy), in the order first seen. */
  series: SeriesData[];
}

/** Most columns of a heat strip. */
export const HEAT_COLUMNS = 100;

/** Most points per pool and series of the pool-load plots. */
export const POOL_POINTS = 240;

/**
 * Quantiles at which CDFs are drawn: 0 (the minimum), every 0.5%, a finer tail up to
 * 99.99%, and 1 (the maximum).
 */
export const CDF_QUANTILES: readonly number[] = (() => {
  const qs: number[] = [];
  for (let i = 0; i < 198; i++) qs.push(i / 200);
  for (let i = 990; i <= 999; i++) qs.push(i / 1000);
  qs.push(0.9995, 0.9999, 1);
  return qs;
})();

class Series {
  readonly ttft = new LogHistogram();
  readonly tpot = new LogHistogram();
  requests = 0;
  roles: Uint8Array | null = null;
  samples: TimeBins | null = null;
  readonly migrations: TimeBins;
  constructor(readonly run: string, readonly policy: string, readonly sampleMs: number) {
    this.migrations = new TimeBins(1, sampleMs);
  }
}

/**
 * Accumulates plot data per (run, policy) series.
 *
 * @example
 * ```ts
 * import { ReportBuilder } from "./report_data.ts";
 * import { createRequestRecord } from "../core/record.ts";
 * const b = new ReportBuilder(100);
 * const s = b.series("run", "round-robin");
 * const r = createRequestRecord();
 * for (let i = 1; i <= 10; i++) {
 *   Object.assign(r, { ttftMs: i * 10, tpotMs: 5, outputTokens: 4, e2eMs: i * 10 + 15 });
 *   b.addRequest(s, r);
 * }
 * const data = b.build();
 * const cdf = data.series[0].ttftCdf;
 * if (cdf[cdf.length - 1].valueMs !== 100) throw new Error("max should be 100 ms");
 * ```
 */
export class ReportBuilder {
  readonly #sampleMs: number;
  readonly #series: Series[] = [];

  /**
   * Creates an empty builder.
   *
   * @param sampleMs Interval of fleet samples, ms (the initial time-bin width).
   * @throws {RangeError} When `sampleMs` is not positive.
   */
  constructor(sampleMs: number) {
    if (!(sampleMs > 0) || !Number.isFinite(sampleMs)) {
      throw new RangeError(
        `Cannot create ReportBuilder: 'sampleMs' must be a positive number, got ${sampleMs}`,
      );
    }
    this.#sampleMs = sampleMs;
  }

  /**
   * The index of the series of `policy` in `run`, created on first use.
   *
   * @param sampleMs Its sample interval, ms, when it differs from the builder's.
   */
  series(run: string, policy: string, sampleMs: number = this.#sampleMs): number {
    const i = this.#series.findIndex((s) => s.run === run && s.policy === policy);
    if (i >= 0) return i;
    this.#series.push(new Series(run, policy, sampleMs));
    return this.#series.length - 1;
  }

  /**
   * Sets the fleet layout of a series (worker roles by id); needed before samples.
   * A second call with the same layout does nothing.
   *
   * @throws {RangeError} When the series already has a different layout.
   */
  setFleet(series: number, roles: ArrayLike<number>): void {
    const s = this.#series[series];
    if (s.roles) {
      if (s.roles.length !== roles.length || s.roles.some((r, i) => r !== roles[i])) {
        throw new RangeError(
          `Cannot set the fleet of series '${s.policy}': it already has a different layout`,
        );
      }
      return;
    }
    s.roles = Uint8Array.from(roles);
    s.samples = new TimeBins(roles.length * SAMPLE_FIELDS, s.sampleMs);
  }

  /** Adds one request's outcome. */
  addRequest(series: number, r: Readonly<RequestRecord>): void {
    const s = this.#series[series];
    s.requests++;
    if (r.shedReason !== ShedReason.None) return;
    s.ttft.add(r.ttftMs);
    if (r.outputTokens > 1) s.tpot.add(r.tpotMs);
  }

  /**
   * Adds one packed fleet sample (see `packSample`) taken at `tMs`.
   *
   * @throws {RangeError} When the series has no fleet layout yet.
   */
  addSample(series: number, tMs: number, values: Float64Array, offset: number): void {
    const bins = this.#bins(series);
    const width = bins.channels;
    for (let c = 0; c < width; c++) bins.add(tMs, c, values[offset + c]);
  }

  /**
   * Adds one worker's values of a fleet sample (as read back from `timeseries.csv`).
   * `values` holds the {@linkcode SAMPLE_FIELDS} fields in `SampleField` order.
   *
   * @throws {RangeError} When the series has no fleet layout or `worker` is out of range.
   */
  addWorkerSample(series: number, tMs: number, worker: number, values: ArrayLike<number>): void {
    const bins = this.#bins(series);
    const n = bins.channels / SAMPLE_FIELDS;
    if (!(Number.isInteger(worker) && worker >= 0 && worker < n)) {
      throw new RangeError(
        `Cannot add a sample: 'worker' must be an integer in [0, ${n}), got ${worker}`,
      );
    }
    for (let f = 0; f < SAMPLE_FIELDS; f++) bins.add(tMs, worker * SAMPLE_FIELDS + f, values[f]);
  }

  /** Adds one migration, decided at `decidedMs`. */
  addMigration(series: number, decidedMs: number): void {
    this.#series[series].migrations.add(decidedMs, 0, 1);
  }

  /** The plot data so far. */
  build(): ReportData {
    const runs = new Set(this.#series.map((s) => s.run));
    return {
      series: this.#series.map((s) => buildSeries(s, runs.size > 1)),
    };
  }

  #bins(series: number): TimeBins {
    const bins = this.#series[series].samples;
    if (!bins) {
      throw new RangeError(
        `Cannot add a sample to series '${this.#series[series].policy}': no fleet layout set`,
      );
    }
    return bins;
  }
}

function buildSeries(s: Series, showRun: boolean): SeriesData {
  const bins = s.samples;
  const roles = s.roles;
  const pools: PoolPoint[] = [];
  const heat: HeatCell[] = [];
  let endMs = 0;
  if (bins && roles) {
    endMs = bins.length * bins.binMs;
    const present = [...new Set(roles)].sort();
    forEachGroup(bins, POOL_POINTS, (start, stop) => {
      for (const role of present) {
        let queued = 0, running = 0, tokens = 0, used = 0, cap = 0;
        for (let w = 0; w < roles.length; w++) {
          if (roles[w] !== role) continue;
          const k = w * SAMPLE_FIELDS;
          queued += groupMean(bins, start, stop, k + SampleField.Queued);
          running += groupMean(bins, start, stop, k + SampleField.Running);
          tokens += groupMean(bins, start, stop, k + SampleField.QueuedPrefillTokens);
          used += groupMean(bins, start, stop, k + SampleField.KvUsedTokens);
          cap += groupMean(bins, start, stop, k + SampleField.KvCapacityTokens);
        }
        pools.push({
          tMs: bins.startMs(start),
          pool: poolName(role),
          queued,
          running,
          queuedPrefillTokens: tokens,
          kvUsageFrac: cap > 0 ? used / cap : 0,
        });
      }
    });
    forEachGroup(bins, HEAT_COLUMNS, (start, stop) => {
      for (let w = 0; w < roles.length; w++) {
        const k = w * SAMPLE_FIELDS;
        const value = roles[w] === Role.Prefill
          ? groupMean(bins, start, stop, k + SampleField.QueuedPrefillTokens)
          : groupMean(bins, start, stop, k + SampleField.KvUsedTokens) /
            groupMean(bins, start, stop, k + SampleField.KvCapacityTokens);
        heat.push({
          tMs: bins.startMs(start),
          widthMs: (stop - start) * bins.binMs,
          worker: w,
          pool: poolName(roles[w]),
          value,
        });
      }
    });
  }
  const mig = s.migrations;
  const migrations: MigrationPoint[] = [{ tMs: 0, cumulative: 0 }];
  let cumulative = 0;
  for (let i = 0; i < mig.length; i++) {
    cumulative += mig.sum(i, 0);
    migrations.push({ tMs: mig.startMs(i) + mig.binMs, cumulative });
  }
  const last = migrations[migrations.length - 1];
  if (endMs > last.tMs) migrations.push({ tMs: endMs, cumulative });
  return {
    name: showRun ? `${s.run} · ${s.policy}` : s.policy,
    run: s.run,
    policy: s.policy,
    requests: s.requests,
    ttftCdf: cdf(s.ttft),
    tpotCdf: cdf(s.tpot),
    pools,
    heat,
    migrations,
  };
}

/**
 * Calls `f(start, stop)` for consecutive groups of non-empty bins, with groups sized so
 * that there are at most `maxGroups` of them.
 */
function forEachGroup(
  bins: TimeBins,
  maxGroups: number,
  f: (start: number, stop: number) => void,
): void {
  const size = Math.max(1, Math.ceil(bins.length / maxGroups));
  for (let start = 0; start < bins.length; start += size) {
    const stop = Math.min(bins.length, start + size);
    let any = false;
    for (let i = start; i < stop && !any; i++) any = bins.count(i, 0) > 0;
    if (any) f(start, stop);
  }
}

/** Mean of `channel` over bins `[start, stop)`, weighted by their counts. */
function groupMean(bins: TimeBins, start: number, stop: number, channel: number): number {
  let sum = 0, count = 0;
  for (let i = start; i < stop; i++) {
    sum += bins.sum(i, channel);
    count += bins.count(i, channel);
  }
  return count > 0 ? sum / count : NaN;
}

function cdf(h: LogHistogram): CdfPoint[] {
  if (h.count === 0) return [];
  const values = h.percentiles(CDF_QUANTILES);
  // The ends are known exactly (bucket midpoints are only within 0.05%).
  values[0] = h.min;
  values[values.length - 1] = h.max;
  return values.map((valueMs, i) => ({ valueMs, q: CDF_QUANTILES[i] }));
}
