/**
 * One simulation run for the benchmarks: a named workload on a P/D fleet under one
 * policy, with the seed-lab scenario's model (Llama-3-8B on H100) and the default
 * scenario's SLOs. Shared by `sim_bench.ts` and `scale_check.ts`.
 *
 * @module
 */

import { Rng } from "../src/core/rng.ts";
import { DEFAULT_SCENARIO } from "../src/sim/compare.ts";
import { prefillMsPerToken } from "../src/model/model.ts";
import { modelPreset } from "../src/model/presets.ts";
import { simulate, type SimulationResult } from "../src/sim/simulator.ts";
import { workloadTemplate } from "../src/workload/catalog.ts";
import { SyntheticSource } from "../src/workload/synthetic.ts";
import { createPolicy } from "../src/policy/registry.ts";

/** What to simulate. */
export interface SimRun {
  /** Named workload (`deno task sim --list`). */
  readonly workload: string;
  /** Requests. */
  readonly requests: number;
  /** Prefill workers. */
  readonly prefill: number;
  /** Decode workers. */
  readonly decode: number;
  /** Policy name. */
  readonly policy: string;
  /**
   * Arrival rate, requests/s. Default: the workload's own rate scaled by fleet size
   * relative to the seed-lab fleet of 4 GPUs (so that load per GPU stays put).
   */
  readonly ratePerS?: number;
  /** Seed. Default 1. */
  readonly seed?: number;
  /** Called every `progressEvery` finished requests (e.g. to sample memory). */
  readonly onProgress?: () => void;
  /** Finished requests between `onProgress` calls. Default 65,536. */
  readonly progressEvery?: number;
}

/** The arrival rate {@linkcode SimRun} uses when none is given. */
export function scaledRate(workload: string, gpus: number): number {
  return workloadTemplate(workload).defaultRatePerS * gpus / 4;
}

/** Runs one simulation. */
export function runSim(run: SimRun): Promise<SimulationResult> {
  const model = modelPreset(DEFAULT_SCENARIO.model);
  const seed = run.seed ?? 1;
  const policy = createPolicy(run.policy, {}, {
    random: new Rng(seed * 7919 + 17).source(),
    sloTtftMs: DEFAULT_SCENARIO.sloTtftMs,
    sloTpotMs: DEFAULT_SCENARIO.sloTpotMs,
    prefillMsPerToken: prefillMsPerToken(model),
  });
  const ratePerS = run.ratePerS ?? scaledRate(run.workload, run.prefill + run.decode);
  const workload = new SyntheticSource(
    workloadTemplate(run.workload).build({ requests: run.requests, ratePerS, seed }),
  );
  return simulate({
    model,
    prefillWorkers: run.prefill,
    decodeWorkers: run.decode,
    policy,
    workload,
    slo: { ttftMs: DEFAULT_SCENARIO.sloTtftMs, tpotMs: DEFAULT_SCENARIO.sloTpotMs },
    onProgress: run.onProgress,
    progressEvery: run.progressEvery ?? 65_536,
  });
}
