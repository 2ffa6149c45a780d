/**
 * The plots over simulated time: pool load as small multiples (one panel per series,
 * one line per pool, a shared y axis), cumulative migrations, and the per-worker heat
 * strip with a colour scale no single spike can wash out.
 *
 * @module
 */

import type { VegaLiteSpec } from "./render_svg.ts";
import type { SeriesData } from "./report_data.ts";
import {
  byRun,
  type ColorEncoding,
  CONFIG,
  HEIGHT,
  POOL_COLORS,
  SCHEMA,
  WIDE_WIDTH,
} from "./_plot_style.ts";

/** Most panels per row of the small multiples. */
export const PANELS_PER_ROW = 4;

/** Quantile of the prefill heat cells at which their colour scale saturates. */
export const HEAT_SATURATION_QUANTILE = 0.95;

/**
 * Pool load over time as small multiples: a panel per policy with a line per pool, all
 * panels of a run on one x and one y scale so that heights compare. Eight policies'
 * lines in one panel are a tangle; eight panels of two lines are not. Overlaid runs get
 * a block each (a heading, their own scales: their workloads may differ).
 */
export function poolSpec(
  series: readonly SeriesData[],
  field: "queued" | "kvUsageFrac",
  yTitle: string,
  format: string,
): VegaLiteSpec {
  const runs = byRun(series);
  const pools = [...new Set(series.flatMap((s) => s.pools.map((p) => p.pool)))];
  const color = {
    field: "pool",
    type: "nominal",
    title: null,
    sort: pools,
    scale: { domain: pools, range: pools.map((p) => POOL_COLORS[p] ?? "#888") },
    legend: { labelExpr: "datum.label + ' pool'" },
  };
  const block = (group: readonly SeriesData[]) => {
    const names = group.map((s) => s.policy);
    const columns = Math.max(1, Math.min(PANELS_PER_ROW, names.length));
    return {
      ...(runs.length > 1
        ? { title: { text: `run ${group[0].run}`, anchor: "start", fontSize: 13 } }
        : {}),
      data: {
        values: group.flatMap((s) =>
          s.pools.map((p) => ({
            policy: s.policy,
            pool: p.pool,
            tS: p.tMs / 1000,
            value: p[field],
          }))
        ),
      },
      facet: {
        field: "policy",
        type: "nominal",
        sort: names,
        title: null,
        header: { labelLimit: 0 },
      },
      columns,
      spacing: { row: 14, column: 16 },
      spec: {
        width: Math.floor((WIDE_WIDTH - 60) / columns) - 20,
        height: Math.round(HEIGHT * 0.55),
        mark: { type: "line", strokeWidth: 1.5, clip: true },
        encoding: {
          x: { field: "tS", type: "quantitative", title: "simulated time (s)" },
          y: {
            field: "value",
            type: "quantitative",
            title: yTitle,
            axis: { format, tickCount: 4 },
            ...(field === "kvUsageFrac" ? { scale: { domain: [0, 1] } } : {}),
          },
          color,
        },
      },
      resolve: { scale: { y: "shared", x: "shared" } },
    };
  };
  if (runs.length === 1) return { $schema: SCHEMA, config: CONFIG, ...block(runs[0]) };
  return {
    $schema: SCHEMA,
    config: CONFIG,
    vconcat: runs.map(block),
    spacing: 24,
    resolve: { scale: { x: "independent", y: "independent", color: "shared" } },
  };
}

/** Cumulative decode migrations per series over time. */
export function migrationSpec(series: readonly SeriesData[], color: ColorEncoding): VegaLiteSpec {
  const values = series.flatMap((s) =>
    s.migrations.map((p) => ({
      policy: s.policy,
      run: s.run,
      tS: p.tMs / 1000,
      cumulative: p.cumulative,
    }))
  );
  const most = Math.max(0, ...values.map((v) => v.cumulative));
  const note = most === 0 ? [{ text: "no migrations in this run" }] : [];
  const height = 130;
  const width = WIDE_WIDTH - 60;
  return {
    $schema: SCHEMA,
    config: CONFIG,
    width,
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
          ...color,
        },
      },
      {
        data: { values: note },
        mark: { type: "text", color: "#59636e", fontSize: 13 },
        encoding: { text: { field: "text" }, x: { value: width / 2 }, y: { value: height / 2 } },
      },
    ],
  };
}

/**
 * The colour domain of the prefill heat cells: from 0 to the
 * {@linkcode HEAT_SATURATION_QUANTILE} of the non-zero cells over every series (cells
 * above it show the top colour), so one policy's peak does not wash the others out.
 */
export function heatDomain(values: readonly number[]): [number, number] {
  const xs = values.filter((v) => v > 0 && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return [0, 1];
  const top = xs[Math.min(xs.length - 1, Math.floor(HEAT_SATURATION_QUANTILE * xs.length))];
  return [0, Math.max(top, 1)];
}

/**
 * Load per worker: prefill workers' queued prompt tokens and decode or colocated
 * workers' KV usage (0–100%), a strip per policy. The prefill colour scale is
 * {@linkcode heatDomain}'s, shared by the policies of a run (overlaid runs get a block
 * and a scale each: their workloads may differ).
 */
export function heatSpec(series: readonly SeriesData[]): VegaLiteSpec {
  const runs = byRun(series);
  const cellsOf = (group: readonly SeriesData[]) =>
    group.flatMap((s) =>
      s.heat.map((c) => ({
        policy: s.policy,
        pool: c.pool,
        worker: `${c.pool === "prefill" ? "P" : c.pool === "decode" ? "D" : "C"}${c.worker}`,
        order: c.worker,
        tS: c.tMs / 1000,
        tS2: (c.tMs + c.widthMs) / 1000,
        value: Number.isFinite(c.value) ? c.value : 0,
      }))
    );
  const pools = ["prefill", "decode", "colocated"].filter((p) =>
    series.some((s) => s.heat.some((c) => c.pool === p))
  );
  const block = (pool: string, group: readonly SeriesData[], legend: boolean) => {
    const values = cellsOf(group).filter((c) => c.pool === pool);
    const workers = new Set(values.map((c) => c.order)).size;
    const prefill = pool === "prefill";
    const where = runs.length > 1 ? ` · run ${group[0].run}` : "";
    return {
      title: { text: `${pool} pool${where}`, anchor: "start", fontSize: 12 },
      data: { values },
      facet: {
        row: {
          field: "policy",
          type: "nominal",
          sort: group.map((s) => s.policy),
          title: null,
          header: { labelAngle: 0, labelAlign: "left", labelOrient: "top", labelPadding: 2 },
        },
      },
      spacing: 6,
      spec: {
        width: WIDE_WIDTH - 150,
        height: Math.max(20, Math.min(100, workers * 9)),
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
            title: prefill
              ? ["queued tokens", `(darkest: ≥ p${HEAT_SATURATION_QUANTILE * 100})`]
              : ["KV usage"],
            scale: prefill
              ? { scheme: "blues", domain: heatDomain(values.map((c) => c.value)), clamp: true }
              : { scheme: "orangered", domain: [0, 1] },
            legend: legend
              ? {
                orient: "right",
                gradientLength: 70,
                format: prefill ? "~s" : ".0%",
                titleFontSize: 10,
              }
              : null,
          },
        },
      },
    };
  };
  // Prefill scales differ per run (a legend each); KV usage is 0–100% everywhere (one).
  const blocks = pools.flatMap((pool) =>
    runs.map((group, i) => block(pool, group, pool === "prefill" || i === 0))
  );
  return {
    $schema: SCHEMA,
    config: CONFIG,
    vconcat: blocks,
    spacing: 14,
    resolve: { scale: { color: "independent", x: "independent" } },
  };
}
