/**
 * pdrouter: route LLM inference traffic across disaggregated prefill and decode GPU
 * pools, and simulate, benchmark and compare the routing policies that do it.
 *
 * - **Policies** (`Policy`, `createPolicy`, `createRoundRobin`, `createTelemetry`, and
 *   re-creations of peers: `createLlmD`, `createDynamo`, `createSglang`, `createAibrix`,
 *   plus `createLeastLoaded`, `createPowerOfTwo`): one small interface; the same module
 *   routes in the simulator and in front of engines.
 * - **Simulator** (`simulate`, `comparePolicies`): a deterministic discrete-event
 *   simulator of P/D pools with continuous batching, chunked prefill, prefix caches,
 *   KV capacity and KV transfer.
 * - **Workloads** (`SyntheticSource`, `workloadTemplate`): seeded synthetic traffic.
 * - **Traces** (`openTrace`, `TraceSource`, `scanTrace`, `generateMooncakeRows`): streamed
 *   replay of Mooncake, Azure 2023, Vidur, length-only and BurstGPT traces (gzip too).
 * - **Metrics** (`Recorder`, `LogHistogram`): TTFT/TPOT summaries, SLO attainment, goodput.
 * - **Export** (`RunExporter`, `RunWriter`, `rebuildReport`): per-request and time-series
 *   CSV, `summary.json`, SVG plots and a self-contained HTML report.
 *
 * @example Compare the baseline and the telemetry policy on the default scenario
 * ```ts
 * import { comparePolicies, DEFAULT_SCENARIO } from "./mod.ts";
 * const report = await comparePolicies({ ...DEFAULT_SCENARIO, requests: 300 });
 * for (const r of report.results) console.log(r.policy, r.ttftMs.p99.toFixed(0));
 * ```
 *
 * @module
 */

export * from "./src/core/types.ts";
export * from "./src/core/record.ts";
export * from "./src/core/errors.ts";
export * from "./src/core/rng.ts";
export * from "./src/index/prefix_index.ts";
export * from "./src/index/load_index.ts";
export * from "./src/fleet/fleet_state.ts";
export * from "./src/policy/types.ts";
export * from "./src/policy/config.ts";
export * from "./src/policy/registry.ts";
export * from "./src/policy/build.ts";
export * from "./src/policy/round_robin.ts";
export * from "./src/policy/telemetry.ts";
export * from "./src/policy/least_loaded.ts";
export * from "./src/policy/power_of_two.ts";
export * from "./src/policy/llm_d.ts";
export * from "./src/policy/dynamo.ts";
export * from "./src/policy/sglang.ts";
export * from "./src/policy/aibrix.ts";
export * from "./src/model/model.ts";
export * from "./src/model/presets.ts";
export * from "./src/sim/event_queue.ts";
export * from "./src/sim/simulator.ts";
export * from "./src/sim/compare.ts";
export * from "./src/sim/capacity.ts";
export * from "./src/workload/synthetic.ts";
export * from "./src/workload/catalog.ts";
export * from "./src/workload/trace_row.ts";
export * from "./src/workload/trace_format.ts";
export * from "./src/workload/trace_reader.ts";
export * from "./src/workload/trace_rate.ts";
export * from "./src/workload/trace_writer.ts";
export * from "./src/workload/trace_gen.ts";
export * from "./src/workload/line_reader.ts";
export * from "./src/workload/mooncake.ts";
export * from "./src/workload/azure.ts";
export * from "./src/workload/vidur.ts";
export * from "./src/workload/lengths.ts";
export * from "./src/workload/burstgpt.ts";
export * from "./src/metrics/histogram.ts";
export * from "./src/metrics/recorder.ts";
export * from "./src/metrics/csv.ts";
export * from "./src/metrics/request_csv.ts";
export * from "./src/metrics/fleet_sample.ts";
export * from "./src/metrics/time_bins.ts";
export * from "./src/report/report_data.ts";
export * from "./src/report/plot_specs.ts";
export * from "./src/report/render_svg.ts";
export * from "./src/report/report_html.ts";
export * from "./src/metrics/summary_file.ts";
export * from "./src/report/write_report.ts";
export * from "./src/report/run_writer.ts";
export * from "./src/report/run_exporter.ts";
export * from "./src/report/load_run.ts";
