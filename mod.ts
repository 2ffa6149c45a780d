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
 * - **Engines** (`startEmulator`, `EngineLoop`, vLLM's protocol: `parseGenerationRequest`,
 *   `VLLM_METRIC`, `vllmServeArgv`): a vLLM-compatible engine emulator timed by the
 *   simulator's own engine scheduler on a real clock.
 *
 * @example Compare the baseline and the telemetry policy on the default scenario
 * ```ts
 * import { comparePolicies, DEFAULT_SCENARIO } from "./mod.ts";
 * const report = await comparePolicies({ ...DEFAULT_SCENARIO, requests: 300 });
 * for (const r of report.results) console.log(r.policy, r.ttftMs.p99.toFixed(0));
 * ```
 *
 * Each part is also its own export (`./policy`, `./fleet`, `./model`, `./workload`,
 * `./sim`, `./metrics`, `./report`, `./engine`, `./testing`, and `./core`, `./index`,
 * `./worker`), so that a policy author who imports `./policy` loads no CSV or plotting
 * package.
 *
 * @module
 */

export * from "./src/core/mod.ts";
export * from "./src/index/mod.ts";
export * from "./src/fleet/mod.ts";
export * from "./src/policy/mod.ts";
export * from "./src/model/mod.ts";
export * from "./src/worker/mod.ts";
export * from "./src/workload/mod.ts";
export * from "./src/sim/mod.ts";
export * from "./src/metrics/mod.ts";
export * from "./src/report/mod.ts";
export * from "./src/engine/mod.ts";
