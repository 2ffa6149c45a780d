/**
 * Vega-Lite specs of the report's plots, built from {@linkcode ReportData}. Pure data:
 * rendering is `render_svg.ts`'s job.
 *
 * @module
 */

import type { VegaLiteSpec } from "./render_svg.ts";
import type { ReportData } from "./report_data.ts";
import { seriesEncoding } from "./_plot_style.ts";
import { cdfSpec, tailSpec } from "./_plot_latency.ts";
import { heatSpec, migrationSpec, poolSpec } from "./_plot_time.ts";

/** Objectives drawn as reference lines (one line per distinct value). */
export interface PlotSlo {
  /** TTFT objectives, ms. */
  readonly ttftMs: readonly number[];
  /** TPOT objectives, ms. */
  readonly tpotMs: readonly number[];
}

/** One plot: a file stem, a title for the report and its Vega-Lite spec. */
export interface PlotSpec {
  /** File stem under `plots/` (`ttft_cdf` → `plots/ttft_cdf.svg`). */
  readonly id: string;
  /** Heading in the report. */
  readonly title: string;
  /** One line on how to read it. */
  readonly caption: string;
  /** Spans the report's full width (wide plots). */
  readonly wide: boolean;
  /** The Vega-Lite spec. */
  readonly spec: VegaLiteSpec;
}

export { SERIES_COLORS } from "./_plot_style.ts";

/**
 * Every plot of a report, in display order: TTFT CDF, TPOT CDF, their tails, queue
 * depth and KV usage per pool (small multiples, one panel per series), migrations over
 * time and the per-worker load heat strip. Built to stay readable with eight policies
 * (or several runs overlaid): log latency axes, a panel per series for time series,
 * and colour scales that one series' peak cannot wash out.
 *
 * @example
 * ```ts
 * import { plotSpecs } from "./plot_specs.ts";
 * const plots = plotSpecs({ series: [] }, { ttftMs: [500], tpotMs: [30] });
 * if (plots[0].id !== "ttft_cdf") throw new Error("TTFT CDF comes first");
 * ```
 */
export function plotSpecs(data: ReportData, slo: PlotSlo): PlotSpec[] {
  const color = seriesEncoding(data.series);
  return [
    {
      id: "ttft_cdf",
      title: "Time to first token",
      caption:
        "Share of requests whose first token arrived within x ms (log scale); dashed: the TTFT SLO.",
      wide: false,
      spec: cdfSpec(data.series, "ttftCdf", slo.ttftMs, "TTFT (ms, log scale)", color),
    },
    {
      id: "tpot_cdf",
      title: "Time per output token",
      caption:
        "Share of requests with at most x ms per output token (log scale); dashed: the TPOT SLO.",
      wide: false,
      spec: cdfSpec(data.series, "tpotCdf", slo.tpotMs, "TPOT (ms, log scale)", color),
    },
    {
      id: "latency_tail",
      title: "The tail: TTFT and TPOT",
      caption: "Share of requests slower than x, both axes log, down to 1 in 10,000: a curve " +
        "crosses the dotted 1% line at its p99 and 0.1% at its p99.9; dashed: the SLOs.",
      wide: true,
      spec: tailSpec(data.series, slo, color),
    },
    {
      id: "queue_depth",
      title: "Queue depth per pool",
      caption: "Requests waiting in each pool (sum over its workers, mean per time bin); a " +
        "panel per policy, on one scale per run.",
      wide: true,
      spec: poolSpec(data.series, "queued", "requests waiting", ",.0f"),
    },
    {
      id: "kv_usage",
      title: "KV-cache usage per pool",
      caption: "KV tokens allocated or reserved ÷ capacity, over each pool's workers; a panel " +
        "per policy.",
      wide: true,
      spec: poolSpec(data.series, "kvUsageFrac", "KV usage", ".0%"),
    },
    {
      id: "migrations",
      title: "Decode migrations",
      caption: "Cumulative decode-to-decode migrations, counted when decided.",
      wide: true,
      spec: migrationSpec(data.series, color),
    },
    {
      id: "worker_load",
      title: "Load per worker",
      caption:
        "Prefill workers (P): uncached prompt tokens waiting, on one scale for the policies " +
        "of a run that tops out at the 95th percentile of the cells; decode workers (D): KV " +
        "usage. One row per worker; an even strip means balanced load.",
      wide: true,
      spec: heatSpec(data.series),
    },
  ];
}
