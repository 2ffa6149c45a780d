/**
 * Side-by-side comparison: the same workload, fleet and model under several policies.
 * This is what `deno task sim` runs.
 *
 * @module
 */

import type { FleetSnapshot, RequestSource } from "../core/types.ts";
import type { RequestRecord } from "../core/record.ts";
import type { RunSummary } from "../metrics/recorder.ts";
import { buildPolicy, type PolicyDeployment } from "../policy/build.ts";
import type { Policy, PolicyConfig, PolicyFactory } from "../policy/types.ts";
import { prefillMsPerToken } from "../model/model.ts";
import { modelPreset, workersForGpus } from "../model/presets.ts";
import { simulate } from "./simulator.ts";
import { workloadTemplate } from "../workload/catalog.ts";
import { SyntheticSource } from "../workload/synthetic.ts";

/** Everything that defines a comparison run. Plain data; printed in `--json` output. */
export interface ComparisonConfig {
  /** Named synthetic workload. */
  workload: string;
  /** Requests to generate. */
  requests: number;
  /** Mean arrival rate, requests per second. */
  ratePerS: number;
  /** Seed of the workload and of every policy's random source. */
  seed: number;
  /** Model preset name. */
  model: string;
  /** GPUs of the prefill pool (workers of the model's tensor-parallel size each). */
  prefillGpus: number;
  /** GPUs of the decode pool (workers of the model's tensor-parallel size each). */
  decodeGpus: number;
  /**
   * Decode migrations per window the deployment allows (`PolicyContext.migrationBudget`).
   * A policy that migrates uses it unless its `policyConfig` entry sets its own
   * `migrationBudget` (which the CLI accepts only without `--migration-budget`).
   */
  migrationBudget: number;
  /** TTFT objective, ms. */
  sloTtftMs: number;
  /** TPOT objective, ms. */
  sloTpotMs: number;
  /** Policies to compare, by registry name. */
  policies: string[];
  /** Per-policy configuration overrides. */
  policyConfig: Record<string, PolicyConfig>;
}

/** Results of a comparison. */
export interface ComparisonReport {
  /** What was run. */
  config: ComparisonConfig;
  /** One summary per policy, in `config.policies` order. */
  results: RunSummary[];
}

/**
 * The built-in default scenario: multi-turn chat on 4 prefill + 4 decode H100s
 * running Llama-3.1-8B at a load where routing matters (prefill ≈ 75% busy, bursty).
 * SLOs are MLPerf Inference's llama3_1-8b *interactive* server targets (p99 TTFT
 * 500 ms, TPOT 30 ms; mlcommons/inference `loadgen/mlperf.conf`).
 */
export const DEFAULT_SCENARIO: Readonly<ComparisonConfig> = Object.freeze({
  workload: "chat",
  requests: 6000,
  ratePerS: 40,
  seed: 1,
  model: "llama3-8b-h100",
  prefillGpus: 4,
  decodeGpus: 4,
  migrationBudget: 8,
  sloTtftMs: 500,
  sloTpotMs: 30,
  policies: ["round-robin", "telemetry"],
  policyConfig: {},
});

/** Hooks for progress and per-request output. */
export interface ComparisonHooks {
  /** Builds the workload for one policy's run (default: the named synthetic workload). */
  makeWorkload?: (config: ComparisonConfig) => RequestSource;
  /** Called when a policy's run starts. */
  onPolicyStart?: (policy: string, index: number) => void;
  /** Progress within a run. */
  onProgress?: (policy: string, finished: number, nowMs: number) => void;
  /** Every request record of a run (the record object is reused). */
  onRequest?: (policy: string, record: Readonly<RequestRecord>) => void;
  /** Finished requests between progress calls. */
  progressEvery?: number;
  /**
   * Factories for policy names that are not built in (user policies loaded from
   * modules). They get their `policyConfig` entry as is, and the same context as
   * built-in policies.
   */
  policies?: Readonly<Record<string, PolicyFactory>>;
  /** Simulated ms between fleet samples passed to `onSample` (0 or absent: never). */
  sampleIntervalMs?: number;
  /** A live view of the fleet every `sampleIntervalMs` of a run (copy what you keep). */
  onSample?: (policy: string, fleet: FleetSnapshot, nowMs: number) => void;
  /** Every decode migration of a run, with the time it was decided. */
  onMigration?: (policy: string, decidedMs: number, from: number, to: number) => void;
}

/** The named synthetic workload of `config`. */
export function syntheticWorkload(config: ComparisonConfig): RequestSource {
  const template = workloadTemplate(config.workload);
  return new SyntheticSource(
    template.build({ requests: config.requests, ratePerS: config.ratePerS, seed: config.seed }),
  );
}

/**
 * The deployment facts every policy of `config` gets: its seed, SLOs and migration
 * budget, and the prefill cost per token of its model.
 *
 * @throws {RangeError} On an unknown model preset.
 */
export function comparisonDeployment(config: ComparisonConfig): PolicyDeployment {
  return {
    seed: config.seed,
    sloTtftMs: config.sloTtftMs,
    sloTpotMs: config.sloTpotMs,
    prefillMsPerToken: prefillMsPerToken(modelPreset(config.model)),
    migrationBudget: config.migrationBudget,
  };
}

/**
 * Builds every policy of `config` with {@linkcode buildPolicy}: built-in names from the
 * registry, others from `hooks.policies`, each with its `policyConfig` entry as given
 * and the deployment of {@linkcode comparisonDeployment}. All configurations are
 * validated before anything runs.
 *
 * @throws {PolicyConfigError} When a factory rejects its configuration.
 * @throws {RangeError} On an unknown policy or model preset.
 */
export function createComparisonPolicies(
  config: ComparisonConfig,
  hooks: Pick<ComparisonHooks, "policies"> = {},
): Policy[] {
  const deployment = comparisonDeployment(config);
  const extra = hooks.policies;
  const resolve = extra
    ? (name: string) => (Object.hasOwn(extra, name) ? extra[name] : undefined)
    : undefined;
  return config.policies.map((name) =>
    buildPolicy(name, config.policyConfig[name] ?? {}, deployment, resolve)
  );
}

/**
 * Runs every policy of `config` on the same workload and returns their summaries.
 *
 * @example
 * ```ts
 * import { comparePolicies, DEFAULT_SCENARIO } from "./compare.ts";
 * const report = await comparePolicies({ ...DEFAULT_SCENARIO, requests: 200 });
 * if (report.results.length !== 2) throw new Error("two policies expected");
 * ```
 * @throws {PolicyConfigError} When a policy rejects its configuration.
 * @throws {RangeError | TypeError} On an unknown policy, model or workload.
 */
export async function comparePolicies(
  config: ComparisonConfig,
  hooks: ComparisonHooks = {},
): Promise<ComparisonReport> {
  const model = modelPreset(config.model);
  const policies = createComparisonPolicies(config, hooks);
  const results: RunSummary[] = [];
  const makeWorkload = hooks.makeWorkload ?? syntheticWorkload;
  for (let i = 0; i < config.policies.length; i++) {
    const name = config.policies[i];
    const policy = policies[i];
    hooks.onPolicyStart?.(name, i);
    const onRequest = hooks.onRequest;
    const onProgress = hooks.onProgress;
    const onSample = hooks.onSample;
    const onMigration = hooks.onMigration;
    const { summary } = await simulate({
      model,
      prefillWorkers: workersForGpus(model, config.prefillGpus),
      decodeWorkers: workersForGpus(model, config.decodeGpus),
      policy,
      workload: makeWorkload(config),
      slo: { ttftMs: config.sloTtftMs, tpotMs: config.sloTpotMs },
      onRequest: onRequest ? (r) => onRequest(name, r) : undefined,
      onProgress: onProgress ? (n, t) => onProgress(name, n, t) : undefined,
      progressEvery: hooks.progressEvery,
      sampleIntervalMs: hooks.sampleIntervalMs,
      onSample: onSample ? (fleet, t) => onSample(name, fleet, t) : undefined,
      onMigration: onMigration ? (t, from, to) => onMigration(name, t, from, to) : undefined,
    });
    results.push(summary);
  }
  return { config, results };
}
