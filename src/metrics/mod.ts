/**
 * Per-request records into summaries (mean, percentiles, std, SLO attainment, goodput),
 * histograms, CSV, the fleet time series, and Prometheus text (write and parse).
 *
 * @module
 */

export * from "./csv.ts";
export * from "./fleet_sample.ts";
export * from "./histogram.ts";
export * from "./prometheus.ts";
export * from "./recorder.ts";
export * from "./request_csv.ts";
export * from "./summary_file.ts";
export * from "./time_bins.ts";
