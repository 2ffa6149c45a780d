/**
 * Fleet capacity of a scenario: the arrival rate at which the steady state of the
 * workload's mix needs all of the bottleneck pool's time under the round-robin
 * baseline. Loads such as "70% of capacity" are fractions of this rate, so they mean
 * the same thing for every policy compared, and for every run length.
 *
 * **The probe.** A synthetic workload is probed with {@linkcode PROBE_REQUESTS}
 * requests whatever the run's `requests` (a trace with its own rows: the replay is the
 * mix). Requests arriving in the first {@linkcode WARMUP_FRACTION} of the probe's
 * arrival window are left out: there the prefix caches are cold and multi-turn sessions
 * are still on their first turns (later turns carry longer contexts), so the mix is not
 * yet the steady one.
 *
 * **Work, not time taken.** Each measured request's work is what it costs a saturated
 * pool, independent of how congested the probe was:
 *
 * - prefill: its uncached prompt tokens at their share of a full chunked-prefill step
 *   (`maxBatchedTokens` tokens per step) plus their own attention;
 * - decode: one seat for each of its output tokens in a decode step of a saturated
 *   worker, whose batch holds as many sequences of the mix's mean context as the KV
 *   capacity (or `maxNumSeqs`) allows.
 *
 * Utilisation = the measured requests' work ÷ (pool workers, one per tensor-parallel
 * group of GPUs, × their arrival window);
 * capacity = probe rate ÷ the larger of the two. Cache hit rates fall a little as the
 * rate rises, so the probe is repeated at the new estimate until the utilisation is
 * within 3% of 1, at most six times.
 *
 * @module
 */

import type { RequestRecord } from "../core/record.ts";
import { comparePolicies, type ComparisonConfig, type ComparisonHooks } from "./compare.ts";
import {
  kvCapacityTokens,
  kvReadMsPerToken,
  type ModelPreset,
  prefillAttentionMs,
  stepMs,
} from "../model/model.ts";
import { modelPreset, workersForGpus } from "../model/presets.ts";

const MAX_PROBES = 6;

/** Requests of a synthetic workload's probe run, whatever the run's own length. */
export const PROBE_REQUESTS = 20_000;

/** Share of the probe's arrival window left out as warm-up. */
export const WARMUP_FRACTION = 0.25;

/** What {@linkcode estimateCapacity} found. */
export interface CapacityEstimate {
  /** Arrival rate of the last probe run, requests/s. */
  probeRatePerS: number;
  /** Requests of each probe run. */
  probeRequests: number;
  /** Fraction of the prefill pool's time the probe's steady-state prefill work needs. */
  prefillUtilization: number;
  /** Fraction of the decode pool's time the probe's steady-state decode work needs. */
  decodeUtilization: number;
  /** Estimated saturation rate, requests/s. */
  capacityRps: number;
  /** Which pool binds: the one with the larger utilisation. */
  bottleneck: "prefill" | "decode";
}

/**
 * Saturated prefill cost of `uncached` new tokens after `cached` ones, ms: a share of
 * a full `maxBatchedTokens` step plus the chunk's own attention.
 */
export function saturatedPrefillMs(m: ModelPreset, uncached: number, cached: number): number {
  const full = m.maxBatchedTokens;
  return uncached * stepMs(m, full, 0, true) / full + prefillAttentionMs(m, uncached, cached);
}

/**
 * Decode work per output token on a saturated worker, ms: the step time of a batch
 * holding as many sequences of `meanContextTokens` as the KV capacity (or
 * `maxNumSeqs`) allows, divided by the batch.
 *
 * @example
 * ```ts
 * import { saturatedDecodeMsPerToken } from "./capacity.ts";
 * import { LLAMA3_8B_H100 } from "../model/presets.ts";
 * const short = saturatedDecodeMsPerToken(LLAMA3_8B_H100, 500);
 * const long = saturatedDecodeMsPerToken(LLAMA3_8B_H100, 8000);
 * if (!(long > short)) throw new Error("longer contexts leave fewer seats");
 * ```
 */
export function saturatedDecodeMsPerToken(m: ModelPreset, meanContextTokens: number): number {
  const kv = kvCapacityTokens(m);
  const batch = Math.max(1, Math.min(m.maxNumSeqs, kv / Math.max(1, meanContextTokens)));
  // As the engines time a decode step: stepMs with `batch` sequences, plus the KV reads.
  const step = stepMs(m, batch, 0, true, batch) + kvReadMsPerToken(m) * batch * meanContextTokens;
  return step / batch;
}

/** Utilisation of one probe run from its records. */
async function probe(
  config: ComparisonConfig,
  hooks: Pick<ComparisonHooks, "makeWorkload">,
): Promise<{ prefill: number; decode: number }> {
  const m = modelPreset(config.model);
  const kept: number[] = []; // arrival, prefill ms, output tokens, context-token steps
  let first = Infinity, last = -Infinity;
  const onRequest = (_p: string, r: Readonly<RequestRecord>) => {
    if (r.shedReason !== 0) return;
    if (r.arrivalMs < first) first = r.arrivalMs;
    if (r.arrivalMs > last) last = r.arrivalMs;
    const o = r.outputTokens;
    kept.push(
      r.arrivalMs,
      saturatedPrefillMs(m, r.promptTokens - r.cachedTokens, r.cachedTokens),
      o,
      o * r.promptTokens + o * (o - 1) / 2,
    );
  };
  await comparePolicies(
    { ...config, policies: ["round-robin"], policyConfig: {} },
    { makeWorkload: hooks.makeWorkload, onRequest },
  );
  const from = first + WARMUP_FRACTION * (last - first);
  let prefillMs = 0, tokens = 0, contextSteps = 0;
  for (let i = 0; i < kept.length; i += 4) {
    if (kept[i] < from) continue;
    prefillMs += kept[i + 1];
    tokens += kept[i + 2];
    contextSteps += kept[i + 3];
  }
  const spanMs = last > from ? last - from : 1;
  const decodeMs = tokens > 0 ? tokens * saturatedDecodeMsPerToken(m, contextSteps / tokens) : 0;
  return {
    prefill: prefillMs / (workersForGpus(m, config.prefillGpus) * spanMs),
    decode: decodeMs / (workersForGpus(m, config.decodeGpus) * spanMs),
  };
}

/**
 * Estimates the rate at which `config`'s fleet saturates under round-robin in the
 * steady state of its workload, probing first at `config.ratePerS`. A synthetic
 * workload is probed with {@linkcode PROBE_REQUESTS} requests, so the estimate does
 * not depend on `config.requests`; with `hooks.makeWorkload` (a trace) the probe
 * replays that workload as it is.
 *
 * @example
 * ```ts
 * import { estimateCapacity } from "./capacity.ts";
 * import { DEFAULT_SCENARIO } from "./compare.ts";
 * const c = await estimateCapacity({ ...DEFAULT_SCENARIO, workload: "seed-lab" });
 * if (!(c.capacityRps > 0)) throw new Error("no capacity");
 * ```
 * @throws {RangeError | TypeError} On an unknown model or workload.
 */
export async function estimateCapacity(
  config: ComparisonConfig,
  hooks: Pick<ComparisonHooks, "makeWorkload"> = {},
): Promise<CapacityEstimate> {
  const requests = hooks.makeWorkload ? config.requests : PROBE_REQUESTS;
  let rate = config.ratePerS;
  const run = (ratePerS: number) => probe({ ...config, requests, ratePerS }, hooks);
  let u = await run(rate);
  // Fixed-point iteration on rate = rate ÷ utilisation: cache hit rates drift with the
  // rate, so a few probes may be needed; stop within 3%.
  for (let i = 0; i < MAX_PROBES - 1; i++) {
    const worst = Math.max(u.prefill, u.decode, 1e-9);
    if (Math.abs(worst - 1) <= 0.03) break;
    const next = rate / worst;
    if (!Number.isFinite(next) || next <= 0) break;
    rate = next;
    u = await run(rate);
  }
  const worst = Math.max(u.prefill, u.decode, 1e-9);
  return {
    probeRatePerS: rate,
    probeRequests: requests,
    prefillUtilization: u.prefill,
    decodeUtilization: u.decode,
    capacityRps: rate / worst,
    bottleneck: u.prefill >= u.decode ? "prefill" : "decode",
  };
}
