/**
 * Fleet capacity of a scenario: the arrival rate at which the round-robin baseline
 * saturates the fleet, estimated from one simulated probe run. Loads such as "70% of
 * capacity" are fractions of this rate, so they mean the same thing for every
 * policy compared.
 *
 * **Prefill utilisation** of the probe: every completed request's uncached prompt
 * tokens cost their share of a full chunked-prefill step (`maxBatchedTokens` tokens
 * per step, the steady state of a saturated worker) plus their own attention; the sum
 * over requests ÷ (prefill workers × arrival window) is the fraction of the pool's
 * time the offered work needs (offered, not served: a backlog does not hide it). **Decode utilisation** is the mean KV the decode pool holds (each
 * request's prompt + output tokens, from its first token to its last) ÷ the pool's KV
 * capacity. Capacity = probe rate ÷ the larger of the two. Both grow with the rate,
 * not quite in proportion (cache hit rates fall and decode steps slow as the rate
 * rises), so the probe is repeated at the new estimate until the utilisation is
 * within 3% of 1, at most six times.
 *
 * @module
 */

import type { RequestRecord } from "../core/record.ts";
import { comparePolicies, type ComparisonConfig, type ComparisonHooks } from "./compare.ts";
import { kvCapacityTokens, type ModelPreset, prefillAttentionMs, stepMs } from "../model/model.ts";
import { modelPreset, workersForGpus } from "../model/presets.ts";

const MAX_PROBES = 6;

/** What {@linkcode estimateCapacity} found. */
export interface CapacityEstimate {
  /** Arrival rate of the last probe run, requests/s. */
  probeRatePerS: number;
  /** Fraction of the prefill pool's time the probe's prefill work needs. */
  prefillUtilization: number;
  /** Mean fraction of the decode pool's KV capacity the probe's requests held. */
  decodeKvUtilization: number;
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

/** Utilisation of one probe run from its records. */
async function probe(
  config: ComparisonConfig,
  hooks: Pick<ComparisonHooks, "makeWorkload">,
): Promise<{ prefill: number; decode: number }> {
  const m = modelPreset(config.model);
  let prefillMs = 0, kvTokenMs = 0, first = Infinity, last = 0;
  const onRequest = (_p: string, r: Readonly<RequestRecord>) => {
    if (r.shedReason !== 0) return;
    if (r.arrivalMs < first) first = r.arrivalMs;
    if (r.arrivalMs > last) last = r.arrivalMs;
    prefillMs += saturatedPrefillMs(m, r.promptTokens - r.cachedTokens, r.cachedTokens);
    kvTokenMs += (r.promptTokens + r.outputTokens) * (r.e2eMs - r.ttftMs);
  };
  await comparePolicies(
    { ...config, policies: ["round-robin"], policyConfig: {} },
    { makeWorkload: hooks.makeWorkload, onRequest },
  );
  const spanMs = last > first ? last - first : 1;
  return {
    prefill: prefillMs / (workersForGpus(m, config.prefillGpus) * spanMs),
    decode: kvTokenMs / (workersForGpus(m, config.decodeGpus) * kvCapacityTokens(m) * spanMs),
  };
}

/**
 * Estimates the rate at which `config`'s fleet saturates under round-robin, probing
 * first at `config.ratePerS`.
 *
 * @example
 * ```ts
 * import { estimateCapacity } from "./capacity.ts";
 * import { DEFAULT_SCENARIO } from "./compare.ts";
 * const c = await estimateCapacity({ ...DEFAULT_SCENARIO, requests: 400 });
 * if (!(c.capacityRps > 0)) throw new Error("no capacity");
 * ```
 * @throws {RangeError | TypeError} On an unknown model or workload.
 */
export async function estimateCapacity(
  config: ComparisonConfig,
  hooks: Pick<ComparisonHooks, "makeWorkload"> = {},
): Promise<CapacityEstimate> {
  let rate = config.ratePerS;
  let u = await probe({ ...config, ratePerS: rate }, hooks);
  // Fixed-point iteration on rate = rate ÷ utilisation: cache hit rates and step
  // times drift with the rate, so a few probes are needed; stop within 3%.
  for (let i = 0; i < MAX_PROBES - 1; i++) {
    const worst = Math.max(u.prefill, u.decode, 1e-9);
    if (Math.abs(worst - 1) <= 0.03) break;
    const next = rate / worst;
    if (!Number.isFinite(next) || next <= 0) break;
    rate = next;
    u = await probe({ ...config, ratePerS: rate }, hooks);
  }
  const worst = Math.max(u.prefill, u.decode, 1e-9);
  return {
    probeRatePerS: rate,
    prefillUtilization: u.prefill,
    decodeKvUtilization: u.decode,
    capacityRps: rate / worst,
    bottleneck: u.prefill >= u.decode ? "prefill" : "decode",
  };
}
