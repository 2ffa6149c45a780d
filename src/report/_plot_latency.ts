/**
 * The latency plots: the CDFs of TTFT and TPOT (the body of the distributions) and
 * their tails (complementary CDFs on log axes).
 *
 * @module
 */

import type { VegaLiteSpec } from "./render_svg.ts";
import type { CdfPoint, SeriesData } from "./report_data.ts";
import {
  type ColorEncoding,
  CONFIG,
  fmtMs,
  HEIGHT,
  SCHEMA,
  WIDE_WIDTH,
  WIDTH,
} from "./_plot_style.ts";

/** Smallest tail share drawn: 1 request in 10,000 (p99.99). */
export const TAIL_FLOOR = 1e-4;

/**
 * A latency CDF on a log x axis (latencies of several policies span decades; a linear
 * axis to the slowest one crushes the others), with the SLO as a dashed rule.
 */
export function cdfSpec(
  series: readonly SeriesData[],
  key: "ttftCdf" | "tpotCdf",
  sloMs: readonly number[],
  xTitle: string,
  color: ColorEncoding,
): VegaLiteSpec {
  const values = series.flatMap((s) =>
    s[key].filter((p) => p.valueMs > 0).map((p) => ({
      policy: s.policy,
      run: s.run,
      valueMs: p.valueMs,
      q: p.q,
    }))
  );
  return {
    $schema: SCHEMA,
    config: CONFIG,
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values },
        mark: { type: "line", interpolate: "step-after", clip: true },
        encoding: {
          x: logAxis("valueMs", xTitle, values.map((v) => v.valueMs), sloMs),
          y: {
            field: "q",
            type: "quantitative",
            title: "share of requests",
            scale: { domain: [0, 1] },
            axis: { format: "%" },
          },
          ...color,
        },
      },
      ...sloLayers(sloMs, HEIGHT - 16),
    ],
  };
}

/**
 * The tails of TTFT and TPOT side by side: for each latency x, the share of requests
 * slower than x, both axes log, down to {@linkcode TAIL_FLOOR}; dotted rules at 1%
 * (p99) and 0.1% (p99.9), dashed ones at the SLOs.
 */
export function tailSpec(
  series: readonly SeriesData[],
  slo: { readonly ttftMs: readonly number[]; readonly tpotMs: readonly number[] },
  color: ColorEncoding,
): VegaLiteSpec {
  const panel = (key: "ttftCdf" | "tpotCdf", title: string, sloMs: readonly number[]) => {
    const values = series.flatMap((s) =>
      tailPoints(s[key]).map((p) => ({ policy: s.policy, run: s.run, ...p }))
    );
    return {
      width: Math.round((WIDE_WIDTH - 120) / 2),
      height: HEIGHT,
      layer: [
        {
          data: { values },
          mark: { type: "line", clip: true, point: false },
          encoding: {
            x: logAxis("valueMs", title, values.map((v) => v.valueMs), sloMs),
            y: {
              field: "share",
              type: "quantitative",
              title: "share of requests slower (log)",
              scale: { type: "log", domain: [TAIL_FLOOR, 1] },
              axis: { format: "~%", values: [1, 0.1, 0.01, 0.001, 0.0001] },
            },
            ...color,
          },
        },
        {
          data: { values: [{ share: 0.01, label: "p99" }, { share: 0.001, label: "p99.9" }] },
          layer: [
            {
              mark: { type: "rule", strokeDash: [2, 3], color: "#777" },
              encoding: { y: { field: "share", type: "quantitative" } },
            },
            {
              mark: { type: "text", align: "right", dy: -5, color: "#555", fontSize: 10 },
              encoding: {
                y: { field: "share", type: "quantitative" },
                x: { value: Math.round((WIDE_WIDTH - 120) / 2) - 2 },
                text: { field: "label" },
              },
            },
          ],
        },
        ...sloLayers(sloMs, 4),
      ],
    };
  };
  return {
    $schema: SCHEMA,
    config: CONFIG,
    hconcat: [
      panel("ttftCdf", "TTFT (ms, log scale)", slo.ttftMs),
      panel("tpotCdf", "TPOT (ms, log scale)", slo.tpotMs),
    ],
    spacing: 30,
    resolve: { scale: { color: "shared", strokeDash: "shared" } },
  };
}

/** Tail points of a CDF: (latency, share of requests above it) for shares ≥ the floor. */
export function tailPoints(cdf: readonly CdfPoint[]): { valueMs: number; share: number }[] {
  const out: { valueMs: number; share: number }[] = [];
  for (const p of cdf) {
    const share = 1 - p.q;
    if (p.valueMs > 0 && share >= TAIL_FLOOR - 1e-12) out.push({ valueMs: p.valueMs, share });
  }
  return out;
}

/** A log x axis spanning the data and the SLOs (a little margin each side). */
function logAxis(
  field: string,
  title: string,
  values: readonly number[],
  sloMs: readonly number[],
): Record<string, unknown> {
  const all = [...values, ...sloMs].filter((v) => v > 0 && Number.isFinite(v));
  const lo = all.length ? Math.min(...all) : 1, hi = all.length ? Math.max(...all) : 10;
  return {
    field,
    type: "quantitative",
    title,
    scale: { type: "log", domain: [lo / 1.15, Math.max(hi * 1.15, lo * 2)], nice: false },
    axis: { format: "~s", tickCount: 8, labelOverlap: "greedy" },
  };
}

function sloLayers(sloMs: readonly number[], labelY: number): Record<string, unknown>[] {
  const values = [...new Set(sloMs)].map((ms) => ({ ms, label: `SLO ${fmtMs(ms)}` }));
  return [
    {
      data: { values },
      mark: { type: "rule", strokeDash: [6, 4], color: "#555", strokeWidth: 1.5 },
      encoding: { x: { field: "ms", type: "quantitative" } },
    },
    {
      data: { values },
      mark: { type: "text", align: "left", dx: 4, baseline: "top", color: "#333", fontSize: 11 },
      encoding: {
        x: { field: "ms", type: "quantitative" },
        y: { value: labelY },
        text: { field: "label" },
      },
    },
  ];
}
