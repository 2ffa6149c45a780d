/**
 * Vega-Lite specs of the report's plots, built from {@linkcode ReportData}. Pure data:
 * rendering is `render_svg.ts`'s job.
 *
 * @module
 */

import type { VegaLiteSpec } from "./render_svg.ts";
import type { ReportData, SeriesData } from "./report_data.ts";

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

/** Colours of series, in order (Tableau 10, colour-blind-friendlier than Vega's default). */
export const SERIES_COLORS: readonly string[] = [
  "#4e79a7",
  "#e15759",
  "#59a14f",
  "#f28e2b",
  "#b07aa1",
  "#76b7b2",
  "#edc948",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];

const WIDTH = 440;
const HEIGHT = 240;
/** Width of the plot area of a wide (full-row) plot. */
const WIDE_WIDTH = 1000;
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

const CONFIG = {
  font: FONT,
  background: "white",
  padding: 8,
  view: { stroke: null },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 500,
    gridColor: "#e8e8e8",
    domainColor: "#888",
    tickColor: "#888",
    labelColor: "#333",
    titleColor: "#333",
  },
  legend: { orient: "bottom", labelFontSize: 12, titleFontSize: 11, symbolStrokeWidth: 3 },
  header: { labelFontSize: 12, labelFontWeight: 600, titleFontSize: 0 },
  line: { strokeWidth: 2 },
} as const;

/**
 * Every plot of a report, in display order: TTFT CDF, TPOT CDF, queue depth per pool,
 * KV usage per pool, migrations over time and the per-worker load heat strip.
 *
 * @example
 * ```ts
 * import { plotSpecs } from "./plot_specs.ts";
 * const plots = plotSpecs({ series: [] }, { ttftMs: [500], tpotMs: [30] });
 * if (plots[0].id !== "ttft_cdf") throw new Error("TTFT CDF comes first");
 * ```
 */
export function plotSpecs(data: ReportData, slo: PlotSlo): PlotSpec[] {
  const names = data.series.map((s) => s.name);
  const color = {
    field: "series",
    type: "nominal",
    title: null,
    sort: names,
    scale: { domain: names, range: SERIES_COLORS.slice(0, Math.max(1, names.length)) },
    legend: { columns: Math.min(2, Math.max(1, names.length)), labelLimit: 320 },
  } as const;
  return [
    {
      id: "ttft_cdf",
      title: "Time to first token",
      caption:
        "Share of requests whose first token arrived within x ms (log scale); dashed: the TTFT SLO.",
      wide: false,
      spec: cdfSpec(data.series, "ttftCdf", slo.ttftMs, "TTFT (ms, log scale)", true, color),
    },
    {
      id: "tpot_cdf",
      title: "Time per output token",
      caption: "Share of requests with at most x ms per output token; dashed: the TPOT SLO.",
      wide: false,
      spec: cdfSpec(data.series, "tpotCdf", slo.tpotMs, "TPOT (ms)", false, color),
    },
    {
      id: "queue_depth",
      title: "Queue depth per pool",
      caption: "Requests waiting in each pool (sum over its workers, mean per time bin).",
      wide: false,
      spec: poolSpec(data.series, "queued", "requests waiting", ",.0f", color),
    },
    {
      id: "kv_usage",
      title: "KV-cache usage per pool",
      caption: "KV tokens allocated or reserved ÷ capacity, over each pool's workers.",
      wide: false,
      spec: poolSpec(data.series, "kvUsageFrac", "KV usage", ".0%", color),
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
        "Prefill workers (P): uncached prompt tokens waiting; decode workers (D): KV usage. " +
        "One row per worker; an even strip means balanced load.",
      wide: true,
      spec: heatSpec(data.series),
    },
  ];
}

type ColorEncoding = Record<string, unknown>;

function cdfSpec(
  series: readonly SeriesData[],
  key: "ttftCdf" | "tpotCdf",
  sloMs: readonly number[],
  xTitle: string,
  log: boolean,
  color: ColorEncoding,
): VegaLiteSpec {
  const values = series.flatMap((s) =>
    s[key].filter((p) => !log || p.valueMs > 0).map((p) => ({
      series: s.name,
      valueMs: p.valueMs,
      q: p.q,
    }))
  );
  const sloValues = [...new Set(sloMs)].map((ms) => ({ ms, label: `SLO ${fmtMs(ms)}` }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: CONFIG,
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values },
        mark: { type: "line", interpolate: "step-after", clip: true },
        encoding: {
          x: {
            field: "valueMs",
            type: "quantitative",
            title: xTitle,
            scale: log ? { type: "log" } : { zero: false, nice: true },
            axis: log ? { format: "~s", tickCount: 8 } : {},
          },
          y: {
            field: "q",
            type: "quantitative",
            title: "share of requests",
            scale: { domain: [0, 1] },
            axis: { format: "%" },
          },
          color,
        },
      },
      {
        data: { values: sloValues },
        mark: { type: "rule", strokeDash: [6, 4], color: "#555", strokeWidth: 1.5 },
        encoding: { x: { field: "ms", type: "quantitative" } },
      },
      {
        data: { values: sloValues },
        mark: {
          type: "text",
          align: "left",
          dx: 4,
          baseline: "top",
          color: "#333",
          fontSize: 11,
        },
        encoding: {
          x: { field: "ms", type: "quantitative" },
          y: { value: HEIGHT - 16 },
          text: { field: "label" },
        },
      },
    ],
  };
}

function poolSpec(
  series: readonly SeriesData[],
  field: "queued" | "kvUsageFrac",
  yTitle: string,
  format: string,
  color: ColorEncoding,
): VegaLiteSpec {
  const values = series.flatMap((s) =>
    s.pools.map((p) => ({ series: s.name, pool: p.pool, tS: p.tMs / 1000, value: p[field] }))
  );
  const pools = [...new Set(values.map((v) => v.pool))];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: CONFIG,
    data: { values },
    facet: {
      column: {
        field: "pool",
        type: "nominal",
        sort: pools,
        title: null,
        header: { labelExpr: "datum.label + ' pool'" },
      },
    },
    spec: {
      width: Math.round(WIDTH / Math.max(1, pools.length)) - 10,
      height: HEIGHT - 30,
      mark: { type: "line", strokeWidth: 1.5 },
      encoding: {
        x: { field: "tS", type: "quantitative", title: "simulated time (s)" },
        y: {
          field: "value",
          type: "quantitative",
          title: yTitle,
          axis: { format },
          ...(field === "kvUsageFrac" ? { scale: { domain: [0, 1] } } : {}),
        },
        color,
      },
    },
  };
}

function migrationSpec(series: readonly SeriesData[], color: ColorEncoding): VegaLiteSpec {
  const values = series.flatMap((s) =>
    s.migrations.map((p) => ({ series: s.name, tS: p.tMs / 1000, cumulative: p.cumulative }))
  );
  const most = Math.max(0, ...values.map((v) => v.cumulative));
  const note = most === 0 ? [{ text: "no migrations in this run" }] : [];
  const height = 130;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: { ...CONFIG, legend: { ...CONFIG.legend, orient: "right" } },
    width: WIDE_WIDTH - 150,
    height,
    layer: [
      {
        data: { values },
        mark: { type: "line", interpolate: "step-after" },
        encoding: {
          x: { field: "tS", type: "quantitative", title: "simulated time (s)" },
          y: {
            field: "cumulative",
            type: "quantitative",
            title: "migrations so far",
            scale: { domain: [0, Math.max(4, most)], nice: true },
            axis: { format: "~s", tickMinStep: 1 },
          },
          color,
        },
      },
      {
        data: { values: note },
        mark: { type: "text", color: "#59636e", fontSize: 13 },
        encoding: {
          text: { field: "text" },
          x: { value: (WIDE_WIDTH - 150) / 2 },
          y: { value: height / 2 },
        },
      },
    ],
  };
}

function heatSpec(series: readonly SeriesData[]): VegaLiteSpec {
  const names = series.map((s) => s.name);
  const cells = series.flatMap((s) =>
    s.heat.map((c) => ({
      series: s.name,
      pool: c.pool,
      worker: `${c.pool === "prefill" ? "P" : c.pool === "decode" ? "D" : "C"}${c.worker}`,
      order: c.worker,
      tS: c.tMs / 1000,
      tS2: (c.tMs + c.widthMs) / 1000,
      value: Number.isFinite(c.value) ? c.value : 0,
    }))
  );
  const pools = ["prefill", "decode", "colocated"].filter((p) => cells.some((c) => c.pool === p));
  const block = (pool: string) => {
    const values = cells.filter((c) => c.pool === pool);
    const workers = new Set(values.map((c) => c.order)).size;
    const prefill = pool === "prefill";
    return {
      data: { values },
      facet: {
        row: {
          field: "series",
          type: "nominal",
          sort: names,
          title: null,
          header: { labelAngle: 0, labelAlign: "left", labelOrient: "top", labelPadding: 2 },
        },
      },
      spec: {
        width: WIDE_WIDTH - 130,
        height: Math.max(24, Math.min(120, workers * 11)),
        mark: { type: "rect" },
        encoding: {
          x: { field: "tS", type: "quantitative", title: "simulated time (s)" },
          x2: { field: "tS2" },
          y: {
            field: "worker",
            type: "ordinal",
            title: null,
            sort: { field: "order", op: "min" },
            axis: { labelFontSize: 9, ticks: false },
          },
          color: {
            field: "value",
            type: "quantitative",
            title: prefill ? ["prefill pool:", "queued tokens"] : [`${pool} pool:`, "KV usage"],
            scale: prefill
              ? { scheme: "blues", domainMin: 0 }
              : { scheme: "orangered", domain: [0, 1] },
            legend: {
              orient: "right",
              gradientLength: 70,
              format: prefill ? "~s" : ".0%",
              titleFontSize: 10,
            },
          },
        },
      },
    };
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: CONFIG,
    vconcat: pools.map(block),
    spacing: 14,
    resolve: { scale: { color: "independent" } },
  };
}

function fmtMs(ms: number): string {
  return Number.isInteger(ms) ? `${ms} ms` : `${ms.toFixed(1)} ms`;
}
