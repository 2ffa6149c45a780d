/**
 * Options and results of one simulation run ({@linkcode simulate} in `simulator.ts`).
 *
 * @module
 */

import type { RequestRecord } from "../core/record.ts";
import type { FleetSnapshot, RequestSource } from "../core/types.ts";
import type { RunSummary, Slo } from "../metrics/recorder.ts";
import type { ExecutionModel } from "../model/execution_model.ts";
import type { ModelPreset } from "../model/model.ts";
import type { Policy } from "../policy/types.ts";

/** Options of one simulation run. */
export interface SimulationOptions {
  /** Timing preset of every worker. */
  readonly model: ModelPreset;
  /** The execution model timing the engines. Default: the preset's analytic model. */
  readonly executionModel?: ExecutionModel;
  /**
   * The engines' KV block size, tokens (vLLM `--block-size`). Default: the workload's
   * block size, so that the engines cache the workload's own blocks and the router's
   * prefix index is the engines' caches. Another size gives the engines caches of
   * their own at that granularity, and the router an index of what it routed there.
   */
  readonly engineBlockTokens?: number;
  /** Prefill-only workers (ids `0..P-1`). */
  readonly prefillWorkers: number;
  /** Decode-only workers (ids `P..P+D-1`). */
  readonly decodeWorkers: number;
  /** Colocated workers that both prefill and decode (ids after the decode pool). Default 0. */
  readonly colocatedWorkers?: number;
  /** The routing policy (prepared by the simulator). */
  readonly policy: Policy;
  /** The requests. */
  readonly workload: RequestSource;
  /** Objectives for attainment and goodput. */
  readonly slo: Slo;
  /**
   * How often the policy may rebalance (migrate) while requests are in flight, simulated
   * ms. Default 250.
   */
  readonly rebalanceIntervalMs?: number;
  /** Weight of the newest sample in smoothed TTFT/TPOT telemetry. Default 0.2. */
  readonly smoothing?: number;
  /** Called once per request when it completes or is shed (the record is reused). */
  readonly onRequest?: (record: Readonly<RequestRecord>) => void;
  /** Called when a migration is carried out, with the time it was decided. */
  readonly onMigration?: (decidedMs: number, from: number, to: number) => void;
  /** Called after every event with the fleet (for invariant checks in tests). */
  readonly onEvent?: (fleet: FleetSnapshot) => void;
  /** Simulated ms between calls of `onSample` (0 or absent: never). */
  readonly sampleIntervalMs?: number;
  /**
   * Called every `sampleIntervalMs` of simulated time (at 0, `sampleIntervalMs`, …) while
   * requests are in flight, with the live fleet (copy what you keep). An idle stretch
   * between arrivals is sampled at its first and its last grid time only.
   */
  readonly onSample?: (fleet: FleetSnapshot, nowMs: number) => void;
  /** Called every `progressEvery` finished requests. */
  readonly onProgress?: (finished: number, nowMs: number) => void;
  /** Finished requests between progress calls. Default 16384. */
  readonly progressEvery?: number;
}

/** What a simulation returns. */
export interface SimulationResult {
  /** The policy's summary. */
  readonly summary: RunSummary;
  /** Events processed (arrivals included). */
  readonly events: number;
  /** Most requests in flight at once. */
  readonly maxInFlight: number;
  /** Simulated time at the end, ms. */
  readonly endMs: number;
}
