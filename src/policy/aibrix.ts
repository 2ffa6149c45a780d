/**
 * `aibrix`: a re-creation of AIBrix's `prefix-cache` routing algorithm
 * (vllm-project/aibrix `pkg/plugins/gateway/algorithms/prefix_cache.go`, the version
 * with `AIBRIX_PREFIX_CACHE_POD_RUNNING_REQUEST_IMBALANCE_ABS_COUNT`), with the
 * decode side of AIBrix's P/D router (`pkg/plugins/gateway/algorithms/pd/decode_scorer.go`).
 *
 * **Prefill pool** (`prefix-cache`), with `count` = the gateway's in-flight requests on
 * the worker (counted from dispatch; `FleetSnapshot.inflight`):
 * 1. **Load guard**: if `max − min > imbalanceAbsCount` (default 8) over the pool,
 *    only the workers with the minimum count stay candidates.
 * 2. **Prefix match** among the candidates: match percent = ⌊matched blocks × 100 ÷
 *    prompt blocks⌋ for workers matching at least one block. Of the matched workers whose count is at
 *    most `mean + standardDeviationFactor × σ` of the whole pool's counts
 *    (population σ; factor default 1), the best match wins, then the lower count,
 *    then a random one (AIBrix shuffles, then sorts stably).
 * 3. **Fallback**: no match, or no matched worker under the bound: the least-request
 *    worker of the pool (random among equals), as `selectTargetPodWithLeastRequestCount`.
 *
 * **Decode pool**: AIBrix's PD router default decode scorer, `load_balancing`:
 * `score = (running ÷ maxRunning + (1 − throughput ÷ maxThroughput)) ÷ (freeKv% ÷
 * maxFreeKv%)`, lowest wins (lowest id on ties). `running` counts waiting requests
 * too; maxima are floored at 1; free KV percent is floored at 0.1. AIBrix always
 * disaggregates, so does this; without a healthy prefill-capable worker
 * `prefill = -1` (the decode worker prefills).
 *
 * **Simplified**: prefix matches come from the snapshot's prefix index (the engines'
 * caches, as AIBrix's KV-event-synced indexer sees them) instead of the gateway's
 * table of past routing decisions; the decode worker's
 * generation throughput is derived from its smoothed step time as `running ÷ TPOT`.
 * Newer AIBrix replaces the absolute guard by "max > 2 × (mean of the others + 1)
 * and max − min ≥ 8"; this follows the older absolute rule.
 *
 * @module
 */

import { Reason, reject, Role } from "../core/types.ts";
import type { Decision, FleetSnapshot, RouteRequest } from "../core/types.ts";
import { resolveConfig, type ResolvedConfig } from "./config.ts";
import type { Policy, PolicyConfig, PolicyContext } from "./types.ts";

/** Registry name of {@linkcode createAibrix}. */
export const AIBRIX = "aibrix";

/** Configuration fields of `aibrix`, with AIBrix's defaults. */
export const aibrixSpec = {
  imbalanceAbsCount: {
    default: 8,
    min: 0,
    integer: true,
    doc: "Request-count spread above which only the least-loaded workers are candidates " +
      "(AIBRIX_PREFIX_CACHE_POD_RUNNING_REQUEST_IMBALANCE_ABS_COUNT, default 8)",
  },
  standardDeviationFactor: {
    default: 1,
    min: 0,
    doc: "A matched worker qualifies with count ≤ mean + factor × σ " +
      "(AIBRIX_PREFIX_CACHE_STANDARD_DEVIATION_FACTOR, default 1)",
  },
} as const;

/** Resolved `aibrix` configuration. */
export type AibrixConfig = ResolvedConfig<typeof aibrixSpec>;

/**
 * Creates the AIBrix re-creation.
 *
 * Cost: a few passes over each pool, O(fleet · log blocks), as AIBrix's gateway does.
 *
 * @example
 * ```ts
 * import { createAibrix } from "./aibrix.ts";
 * import { FleetState } from "../fleet/fleet_state.ts";
 * import { createDecision, Role } from "../core/types.ts";
 * const fleet = new FleetState([Role.Prefill, Role.Prefill, Role.Decode], 1e5, 16);
 * fleet.prefix.insert(1, new Uint32Array([7, 8]));
 * const p = createAibrix({}, { random: () => 0, sloTtftMs: 1, sloTpotMs: 1, prefillMsPerToken: 1 });
 * p.prepare(fleet.n);
 * const out = createDecision();
 * p.route(fleet, { id: 0, promptTokens: 64, outputTokens: 5, maxTokens: 5, blocks: new Uint32Array([7, 8, 9, 10]), priority: 0, sessionId: -1 }, out);
 * if (out.prefill !== 1 || out.decode !== 2) throw new Error("the prefix holder should win");
 * ```
 * @throws {TypeError | RangeError} On a bad configuration.
 */
export function createAibrix(config: PolicyConfig, context: PolicyContext): Policy {
  const c: AibrixConfig = resolveConfig(AIBRIX, aibrixSpec, config);
  const random = context.random;
  let byPrefix = false;

  /** The gateway's in-flight requests on `w` (prefix-cache's request count). */
  function count(s: FleetSnapshot, w: number): number {
    return s.inflight[w];
  }

  /** Waiting + running requests as `w`'s metrics report them (the decode scorer's). */
  function reported(s: FleetSnapshot, w: number): number {
    return s.queued[w] + s.running[w];
  }

  /** `prefix-cache` over the healthy prefill-capable workers; -1 when none. */
  function pickPrefill(s: FleetSnapshot, r: RouteRequest): number {
    const n = s.n, role = Role.Prefill;
    let k = 0, sum = 0, sumSq = 0, minC = Infinity, maxC = -Infinity;
    for (let w = 0; w < n; w++) {
      if ((s.role[w] & role) === 0 || s.healthy[w] !== 1) continue;
      const x = count(s, w);
      k++;
      sum += x;
      sumSq += x * x;
      if (x < minC) minC = x;
      if (x > maxC) maxC = x;
    }
    byPrefix = false;
    if (k === 0) return -1;
    const onlyLeast = maxC - minC > c.imbalanceAbsCount;
    const mean = sum / k;
    const variance = sumSq / k - mean * mean;
    const bound = mean + c.standardDeviationFactor * Math.sqrt(variance > 0 ? variance : 0);
    const nBlocks = r.blocks.length;
    // Best (match %, then fewer requests) among matched candidates within the bound;
    // exact ties sampled uniformly (reservoir), as AIBrix's shuffle + stable sort.
    let best = -1, bestPct = 0, bestCount = Infinity, nTies = 0;
    if (nBlocks > 0) {
      for (let w = 0; w < n; w++) {
        if ((s.role[w] & role) === 0 || s.healthy[w] !== 1) continue;
        const x = count(s, w);
        if (onlyLeast && x !== minC) continue;
        const m = s.prefix.matchLength(w, r.blocks);
        if (m === 0) continue;
        const pct = Math.floor(m * 100 / nBlocks);
        if (x > bound) continue;
        if (pct > bestPct || (pct === bestPct && x < bestCount)) {
          best = w;
          bestPct = pct;
          bestCount = x;
          nTies = 1;
        } else if (pct === bestPct && x === bestCount && random() * ++nTies < 1) {
          best = w;
        }
      }
    }
    if (best >= 0) {
      byPrefix = true;
      return best;
    }
    // Least request count, random among equals.
    nTies = 0;
    for (let w = 0; w < n; w++) {
      if ((s.role[w] & role) === 0 || s.healthy[w] !== 1 || count(s, w) !== minC) continue;
      if (++nTies === 1 || random() * nTies < 1) best = w;
    }
    return best;
  }

  /** `load_balancing` decode scorer over the healthy decode-capable workers. */
  function pickDecode(s: FleetSnapshot): number {
    const n = s.n, role = Role.Decode;
    let maxRun = 1, maxThr = 1, maxFree = 1, any = false;
    for (let w = 0; w < n; w++) {
      if ((s.role[w] & role) === 0 || s.healthy[w] !== 1) continue;
      any = true;
      const run = reported(s, w);
      const thr = throughput(s, w);
      const free = freePercent(s, w);
      if (run > maxRun) maxRun = run;
      if (thr > maxThr) maxThr = thr;
      if (free > maxFree) maxFree = free;
    }
    if (!any) return -1;
    let best = -1, bestScore = Infinity;
    for (let w = 0; w < n; w++) {
      if ((s.role[w] & role) === 0 || s.healthy[w] !== 1) continue;
      const numer = reported(s, w) / maxRun + (1 - throughput(s, w) / maxThr);
      const score = numer / (freePercent(s, w) / maxFree);
      if (score < bestScore) {
        bestScore = score;
        best = w;
      }
    }
    return best;
  }

  return {
    name: AIBRIX,
    prepare(): void {},
    route(s: FleetSnapshot, r: RouteRequest, out: Decision): void {
      const p = pickPrefill(s, r);
      const d = pickDecode(s);
      if (d < 0) {
        reject(out, Reason.NoWorker);
        return;
      }
      out.prefill = p;
      out.decode = d;
      out.reason = byPrefix ? Reason.Prefix : Reason.Load;
    },
  } satisfies Policy;
}

/** Generated tokens per second on decode worker `w`: batch size ÷ step time. */
function throughput(s: FleetSnapshot, w: number): number {
  const tpot = s.tpotMs[w];
  return tpot > 0 ? s.running[w] * 1000 / tpot : 0;
}

/** Free KV percent of worker `w`, floored at 0.1 as AIBrix does. */
function freePercent(s: FleetSnapshot, w: number): number {
  const free = 100 - 100 * s.kvUsedTokens[w] / s.kvCapacityTokens[w];
  return free > 0.1 ? free : 0.1;
}
