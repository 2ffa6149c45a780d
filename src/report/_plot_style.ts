/**
 * What every plot of the report shares: sizes, fonts, colours and the series colour
 * encoding.
 *
 * @module
 */

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

/** Colours of the pools in time-series small multiples. */
export const POOL_COLORS: Readonly<Record<string, string>> = {
  prefill: "#4e79a7",
  decode: "#f28e2b",
  colocated: "#59a14f",
};

/** Plot-area width of a half-row plot, px. */
export const WIDTH = 440;
/** Plot-area height of a plot, px. */
export const HEIGHT = 240;
/**
 * Width of the plot area of a wide (full-row) plot, px: with its axes and legend it
 * fills a full-row figure of the report at 1366 px, and scales down below that.
 */
export const WIDE_WIDTH = 1080;

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

/** Vega-Lite `config` of every plot. */
export const CONFIG = {
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

/** The schema every spec names. */
export const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Vega-Lite channel encodings that tell series apart (`color`, and `strokeDash`). */
export type ColorEncoding = Record<string, unknown>;

/** Dash patterns telling overlaid runs apart, in run order. */
export const RUN_DASHES: readonly (readonly number[])[] = [[1, 0], [6, 3], [2, 2], [9, 3, 2, 3]];

/** What a series is, as the line plots encode it. */
export interface SeriesKey {
  /** Display name (`policy`, or `run · policy`). */
  readonly name: string;
  /** Run label. */
  readonly run: string;
  /** Policy name. */
  readonly policy: string;
}

/**
 * The encodings that tell `series` apart in a line plot: colour by policy (up to 10
 * policies), and, when several runs are overlaid, a dash pattern by run, so that two
 * runs of eight policies need 8 colours and 2 dashes rather than 16 colours. The data
 * rows carry `policy` and `run` fields.
 */
export function seriesEncoding(series: readonly SeriesKey[]): Record<string, unknown> {
  const policies = [...new Set(series.map((s) => s.policy))];
  const runs = [...new Set(series.map((s) => s.run))];
  const color = {
    field: "policy",
    type: "nominal",
    title: null,
    sort: policies,
    scale: { domain: policies, range: SERIES_COLORS.slice(0, Math.max(1, policies.length)) },
    legend: { columns: Math.min(4, Math.max(1, policies.length)), labelLimit: 260 },
  };
  if (runs.length < 2) return { color };
  return {
    color,
    strokeDash: {
      field: "run",
      type: "nominal",
      title: null,
      sort: runs,
      scale: { domain: runs, range: runs.map((_, i) => RUN_DASHES[i % RUN_DASHES.length]) },
      legend: { symbolStrokeWidth: 2, symbolSize: 300, labelLimit: 260 },
    },
  };
}

/** Series grouped by run, in the order first seen. */
export function byRun<T extends { readonly run: string }>(series: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const s of series) {
    let g = groups.get(s.run);
    if (!g) groups.set(s.run, g = []);
    g.push(s);
  }
  return [...groups.values()];
}

/** `500 ms`, `12.5 ms`. */
export function fmtMs(ms: number): string {
  return Number.isInteger(ms) ? `${ms} ms` : `${ms.toFixed(1)} ms`;
}
