/**
 * `telemetry`: pdrouter's optimized policy.
 *
 * **Candidates** (never the whole fleet): the workers holding the longest leading run
 * of the request's KV blocks (prefix index) plus the least-loaded few of each pool
 * (load index).
 *
 * **Prefill score** (lower is better), each term normalised to `[0, 1)` with
 * `soft(x) = x / (1 + x)` so that no term can dominate by scale:
 * - `waitWeight · soft(estWaitMs / sloTtftMs)`: `estWaitMs` is the queued uncached
 *   tokens plus this request's uncached tokens on that worker, times
 *   `prefillMsPerToken`. Prefix overlap enters here: cached tokens need no compute.
 * - `ttftWeight · soft(smoothedTtftMs / sloTtftMs)`: what clients recently saw.
 * - `kvWeight · kvUsedFraction`.
 *
 * **Decode score**: `kvWeight · committedKvFraction + tpotWeight · soft(smoothedTpot /
 * sloTpotMs) + queueWeight · soft(waiting) − prefixWeight · matchedFraction`. There is no throughput term: a worker that is busy must look
 * worse, never better (the original lab's failure was a throughput-dominated decode
 * score that herded every request onto the busiest worker).
 *
 * **In-flight work**: the committed KV fraction is the snapshot's `decodeLoad` key,
 * `(kvUsed + kvWaiting) / capacity`, and the snapshot owner counts a request's prompt +
 * output KV on its decode worker from dispatch on, while it is still prefilling
 * elsewhere. Requests routed in a burst therefore see each other and do not herd onto
 * one "least loaded" decode worker; the policy keeps no ledger of its own.
 *
 * **Local prefill**: a decode worker can prefill a prompt itself between decode steps
 * (`prefill = -1`), turning idle decode compute into prefill capacity during bursts. A
 * decode candidate may do so when (1) its smoothed TPOT is below
 * `localPrefillTpotFraction` of the TPOT SLO, and (2) the **pressure rule**: its TPOT as
 * a fraction of the TPOT SLO is below `localPrefillPressure` × the prefill pool's
 * estimated TTFT for this request as a fraction of the TTFT SLO, i.e. the prefill pool
 * is closer to missing its SLO than this decode worker is to missing its own. Of those,
 * the one with the lowest estimated local TTFT, `(its queued prefill tokens + uncached
 * tokens there) × prefillMsPerToken × localPrefillCost`, takes the request when that
 * beats the prefill pool. (`localPrefillAboveMs > 0` adds a fixed threshold on the
 * prefill pool's estimated TTFT.)
 *
 * **Late requests**: with `lateRequests = "concentrate"`, a request whose best estimated
 * prefill finish (prefill pool or local) exceeds `lateBudgetFraction` of the TTFT SLO
 * is queued on the least-loaded prefill worker that is late already, so that the
 * workers still on time stay on time. Under overload this raises SLO attainment and
 * goodput a lot, at the price of a much longer TTFT tail for the late requests; the
 * default, `"spread"`, sends them to the fastest worker.
 *
 * **Per-pool thresholds**: a prefill worker whose queued work exceeds
 * `prefillThresholdMs`, or a decode worker whose committed KV fraction exceeds
 * `decodeKvThreshold`, is not eligible while another is. When none is, the request is
 * queued on the best worker anyway, or shed when `overload` is `"shed"` and its
 * priority is below `shedBelowPriority`.
 *
 * **Migration**: `rebalance` proposes moving one decoding request from the hottest
 * decode worker to the coolest when their score gap exceeds `migrationMargin`, at most
 * `migrationBudget` times per `migrationWindowMs` of simulated time. The budget is the
 * deployment's (`context.migrationBudget`, e.g. `sim --migration-budget`) unless the
 * configuration sets `migrationBudget`.
 *
 * @module
 */

import { cannot } from "../core/errors.ts";
import { Reason, reject, Role } from "../core/types.ts";
import type { Decision, FleetSnapshot, Migration, RouteRequest } from "../core/types.ts";
import { resolveConfig } from "./config.ts";
import type { ResolvedConfig } from "./config.ts";
import type { Policy, PolicyConfig, PolicyContext } from "./types.ts";

/** Registry name of {@linkcode createTelemetry}. */
export const TELEMETRY = "telemetry";

/** Configuration fields of `telemetry`, with defaults. */
export const telemetrySpec = {
  prefixCandidates: {
    default: 4,
    min: 0,
    max: 64,
    integer: true,
    doc: "Prefix holders considered per request (longest leading match first)",
  },
  loadCandidates: {
    default: 4,
    min: 1,
    max: 64,
    integer: true,
    doc: "Least-loaded workers considered per pool",
  },
  prefillMsPerToken: {
    default: 0,
    min: 0,
    doc: "Estimated prefill compute per uncached token, ms (0: use the context's estimate)",
  },
  waitWeight: { default: 1, min: 0, doc: "Weight of the estimated prefill wait" },
  ttftWeight: { default: 0.1, min: 0, doc: "Weight of the smoothed TTFT a worker showed" },
  prefillKvWeight: { default: 0.05, min: 0, doc: "Weight of a prefill worker's KV usage" },
  prefillThresholdMs: {
    default: 0,
    min: 0,
    doc: "Queued prefill work (ms) above which a prefill worker is not eligible " +
      "(0: twice the TTFT SLO)",
  },
  decodeKvWeight: { default: 1, min: 0, doc: "Weight of a decode worker's committed KV fraction" },
  decodeTpotWeight: { default: 0.25, min: 0, doc: "Weight of a decode worker's smoothed TPOT" },
  decodeQueueWeight: {
    default: 0,
    min: 0,
    doc: "Weight of the requests waiting for decode admission (their KV already counts in " +
      "the committed fraction; a count term on top makes bursts oscillate between workers)",
  },
  decodePrefixWeight: {
    default: 0.1,
    min: 0,
    doc: "Bonus for decode workers already holding the prompt's blocks (less KV to transfer)",
  },
  decodeKvThreshold: {
    default: 0.9,
    min: 0,
    max: 10,
    doc: "Committed KV fraction above which a decode worker is not eligible",
  },
  localPrefill: {
    default: "auto",
    oneOf: ["auto", "off"],
    doc: "auto: let a decode worker prefill a prompt itself when the prefill pool is " +
      "congested and that is faster; off: always use the prefill pool",
  } as { default: "auto" | "off"; oneOf: readonly ("auto" | "off")[]; doc: string },
  localPrefillAboveMs: {
    default: 0,
    min: 0,
    doc: "Estimated prefill-pool TTFT above which local prefill is considered (0: no fixed " +
      "threshold; the pressure rule decides)",
  },
  localPrefillPressure: {
    default: 1,
    min: 0,
    doc: "Pressure rule: a decode worker may prefill locally only while its smoothed TPOT, " +
      "as a fraction of the TPOT SLO, is below this times the prefill pool's estimated TTFT " +
      "as a fraction of the TTFT SLO (0: off)",
  },
  localPrefillTpotFraction: {
    default: 0.75,
    min: 0,
    doc: "A decode worker may prefill locally only while its smoothed TPOT is below this " +
      "fraction of the TPOT SLO (local prefill slows its decode steps)",
  },
  localPrefillCost: {
    default: 1.2,
    min: 0,
    doc: "Local prefill time relative to the prefill pool's, per uncached token",
  },
  lateRequests: {
    default: "spread",
    oneOf: ["spread", "concentrate"],
    doc: "A request that cannot meet lateBudgetFraction × the TTFT SLO anywhere: spread = " +
      "the fastest worker (best tail latency); concentrate = the least-loaded worker that " +
      "is already late, keeping on-time workers on time (best goodput under overload, " +
      "much worse p99 TTFT)",
  } as {
    default: "spread" | "concentrate";
    oneOf: readonly ("spread" | "concentrate")[];
    doc: string;
  },
  lateBudgetFraction: {
    default: 0.8,
    min: 0,
    doc: "Fraction of the TTFT SLO the estimated prefill finish must stay within " +
      "(lateRequests = concentrate)",
  },
  overload: {
    default: "queue",
    oneOf: ["queue", "shed"],
    doc: "What to do when every worker of a pool is over its threshold",
  } as { default: "queue" | "shed"; oneOf: readonly ("queue" | "shed")[]; doc: string },
  shedBelowPriority: {
    default: 1,
    doc: "With overload = shed, requests with priority below this are shed; others queue",
  },
  migrationBudget: {
    default: 0,
    min: 0,
    integer: true,
    doc: "Decode migrations allowed per window (0 disables migration). When not set: the " +
      "deployment's budget (context.migrationBudget); this default applies only when the " +
      "deployment gives none",
  },
  migrationWindowMs: { default: 10_000, min: 1, doc: "Length of a migration budget window, ms" },
  migrationMargin: {
    default: 0.3,
    min: 0,
    doc: "Decode score gap (hottest − coolest) a migration must exceed",
  },
} as const;

/** Resolved `telemetry` configuration. */
export type TelemetryConfig = ResolvedConfig<typeof telemetrySpec>;

/**
 * Creates the telemetry-driven policy.
 *
 * @example
 * ```ts
 * import { createTelemetry } from "./telemetry.ts";
 * import { FleetState } from "../fleet/fleet_state.ts";
 * import { createDecision, Role } from "../core/types.ts";
 * const fleet = new FleetState([Role.Prefill, Role.Prefill, Role.Decode], 1e5, 16);
 * fleet.queuedPrefillTokens[0] = 4096;
 * fleet.refresh(0);
 * const policy = createTelemetry({}, {
 *   random: () => 0.5, sloTtftMs: 2000, sloTpotMs: 100, prefillMsPerToken: 0.03,
 * });
 * policy.prepare(fleet.n);
 * const out = createDecision();
 * const req = { id: 0, promptTokens: 100, outputTokens: 10, maxTokens: 10, blocks: new Uint32Array([1]), priority: 0, sessionId: -1 };
 * policy.route(fleet, req, out);
 * if (out.prefill !== 1) throw new Error("should avoid the busy prefill worker");
 * ```
 * @throws {TypeError | RangeError} On a bad configuration.
 */
export function createTelemetry(config: PolicyConfig, context: PolicyContext): Policy {
  const c: TelemetryConfig = resolveConfig(TELEMETRY, telemetrySpec, config);
  if (config.migrationBudget === undefined && context.migrationBudget !== undefined) {
    const budget = context.migrationBudget;
    if (!(Number.isInteger(budget) && budget >= 0)) {
      throw new RangeError(
        cannot(
          `create policy '${TELEMETRY}'`,
          "the context's 'migrationBudget' must be an integer ≥ 0",
          budget,
        ),
      );
    }
    c.migrationBudget = budget;
  }
  const msPerToken = c.prefillMsPerToken > 0 ? c.prefillMsPerToken : context.prefillMsPerToken;
  const sloTtft = context.sloTtftMs;
  const sloTpot = context.sloTpotMs;
  const thresholdMs = c.prefillThresholdMs > 0 ? c.prefillThresholdMs : 2 * sloTtft;
  if (!(msPerToken > 0) || !(sloTtft > 0) || !(sloTpot > 0)) {
    throw new RangeError(
      `Cannot create policy '${TELEMETRY}': 'prefillMsPerToken', 'sloTtftMs' and 'sloTpotMs' ` +
        `must be positive, got ${msPerToken}, ${sloTtft}, ${sloTpot}`,
    );
  }

  const localAboveMs = c.localPrefillAboveMs;
  const pressure = c.localPrefillPressure;
  const localTpotMs = c.localPrefillTpotFraction * sloTpot;
  const localOn = c.localPrefill === "auto";
  const concentrate = c.lateRequests === "concentrate";
  const lateMs = c.lateBudgetFraction * sloTtft;

  // Scratch, sized once in prepare().
  const prefixIds = new Int32Array(c.prefixCandidates);
  const prefixCounts = new Uint16Array(c.prefixCandidates);
  const loadIds = new Int32Array(c.loadCandidates);
  let seen = new Uint32Array(0);
  let stamp = 0;

  // Allocation-free hot path: every double that crosses a function boundary goes
  // through this typed array (a double passed, returned or kept in a closure variable
  // is boxed, i.e. allocated, whenever the call is not inlined).
  const F = new Float64Array(7);
  const SCORE = 0; // out: the score computed by prefillScore / decodeScore
  const BEST_P = 1; // best prefill score so far
  const EST_P = 2; // estimated prefill finish of the best prefill worker, ms from now
  const BEST_D = 3; // best decode score so far
  const EST_L = 4; // estimated local-prefill finish of the best local candidate, ms
  const LOCAL_MS = 5; // out: localMs result

  const BEST_LATE = 6; // score of the best late prefill worker

  // Best-so-far state of the pickers (small integers and booleans only).
  let bestP = -1, bestPOk = false, bestPCached = 0, bestLate = -1;
  let bestD = -1, bestDOk = false, localBest = -1;

  // Migration budget state: deterministic in simulated time.
  let windowIndex = -1;
  let movesInWindow = 0;

  function nextStamp(): number {
    if (++stamp === 0xffffffff) {
      seen.fill(0);
      stamp = 1;
    }
    return stamp;
  }

  /** Writes worker `w`'s prefill score for `uncached` new tokens into `F[SCORE]`. */
  function prefillScore(s: FleetSnapshot, w: number, uncached: number): void {
    const wait = (s.queuedPrefillTokens[w] + uncached) * msPerToken / sloTtft;
    const ttft = s.ttftMs[w] / sloTtft;
    F[SCORE] = c.waitWeight * (wait > 0 ? wait / (1 + wait) : 0) +
      c.ttftWeight * (ttft > 0 ? ttft / (1 + ttft) : 0) +
      c.prefillKvWeight * (s.kvUsedTokens[w] / s.kvCapacityTokens[w]);
  }

  /** Writes decode worker `w`'s score, `matched` of `nBlocks` blocks held, into `F[SCORE]`. */
  function decodeScore(s: FleetSnapshot, w: number, matched: number, nBlocks: number): void {
    const tpot = s.tpotMs[w] / sloTpot;
    const q = s.queued[w];
    F[SCORE] = c.decodeKvWeight * s.decodeLoad.key(w) +
      c.decodeTpotWeight * (tpot > 0 ? tpot / (1 + tpot) : 0) +
      c.decodeQueueWeight * (q > 0 ? q / (1 + q) : 0) -
      c.decodePrefixWeight * (nBlocks > 0 ? matched / nBlocks : 0);
  }

  /** Prefill candidate `w` holding `matched` leading blocks. */
  function considerPrefill(s: FleetSnapshot, r: RouteRequest, w: number, matched: number): void {
    const prompt = r.promptTokens;
    const cached = matched > 0 ? Math.min(matched * s.blockTokens, prompt - 1) : 0;
    prefillScore(s, w, prompt - cached);
    const ok = s.queuedPrefillTokens[w] * msPerToken <= thresholdMs;
    if ((ok && !bestPOk) || (ok === bestPOk && F[SCORE] < F[BEST_P])) {
      bestP = w, bestPOk = ok, bestPCached = cached;
      F[BEST_P] = F[SCORE];
      F[EST_P] = (s.queuedPrefillTokens[w] + prompt - cached) * msPerToken;
    }
    if (concentrate && s.queuedPrefillTokens[w] * msPerToken > lateMs && F[SCORE] < F[BEST_LATE]) {
      bestLate = w;
      F[BEST_LATE] = F[SCORE];
    }
  }

  /** Best prefill worker among prefix holders and least-loaded workers, or -1. */
  function pickPrefill(s: FleetSnapshot, r: RouteRequest, nPrefix: number): number {
    const mark = nextStamp();
    bestP = -1, bestPOk = false, bestPCached = 0, bestLate = -1;
    F[BEST_P] = Infinity;
    F[EST_P] = Infinity;
    F[BEST_LATE] = Infinity;
    // Pass 1: prefix holders (their match counts are known).
    for (let i = 0; i < nPrefix; i++) {
      const w = prefixIds[i];
      if ((s.role[w] & Role.Prefill) === 0 || s.healthy[w] !== 1 || seen[w] === mark) continue;
      seen[w] = mark;
      considerPrefill(s, r, w, prefixCounts[i]);
    }
    // Pass 2: least-loaded workers (match length from the index, O(log b)).
    const nLoad = s.prefillLoad.smallestInto(loadIds);
    for (let i = 0; i < nLoad; i++) {
      const w = loadIds[i];
      if (s.healthy[w] !== 1 || seen[w] === mark) continue;
      seen[w] = mark;
      considerPrefill(s, r, w, s.prefix.matchLength(w, r.blocks));
    }
    return bestP;
  }

  /** Writes decode worker `w`'s local-prefill estimate (Infinity: may not) into `F[LOCAL_MS]`. */
  function localMs(s: FleetSnapshot, r: RouteRequest, w: number, matched: number): void {
    if (
      s.tpotMs[w] >= localTpotMs || s.decodeLoad.key(w) > c.decodeKvThreshold ||
      (pressure > 0 && s.tpotMs[w] / sloTpot >= pressure * F[EST_P] / sloTtft)
    ) {
      F[LOCAL_MS] = Infinity;
      return;
    }
    const cached = matched > 0 ? Math.min(matched * s.blockTokens, r.promptTokens - 1) : 0;
    F[LOCAL_MS] = (s.queuedPrefillTokens[w] + r.promptTokens - cached) * msPerToken *
      c.localPrefillCost;
  }

  /** Decode candidate `w` holding `matched` leading blocks. */
  function considerDecode(
    s: FleetSnapshot,
    r: RouteRequest,
    w: number,
    matched: number,
    local: boolean,
  ): void {
    decodeScore(s, w, matched, r.blocks.length);
    const ok = s.decodeLoad.key(w) <= c.decodeKvThreshold;
    if ((ok && !bestDOk) || (ok === bestDOk && F[SCORE] < F[BEST_D])) {
      bestD = w, bestDOk = ok;
      F[BEST_D] = F[SCORE];
    }
    if (local) {
      localMs(s, r, w, matched);
      if (F[LOCAL_MS] < F[EST_L]) {
        localBest = w;
        F[EST_L] = F[LOCAL_MS];
      }
    }
  }

  /**
   * Best decode worker among prefix holders and least-loaded workers, or -1; with
   * `local`, also the best local-prefill candidate (`localBest`, `F[EST_L]`).
   */
  function pickDecode(s: FleetSnapshot, r: RouteRequest, nPrefix: number, local: boolean): number {
    const mark = nextStamp();
    bestD = -1, bestDOk = false, localBest = -1;
    F[BEST_D] = Infinity;
    F[EST_L] = Infinity;
    for (let i = 0; i < nPrefix; i++) {
      const w = prefixIds[i];
      if ((s.role[w] & Role.Decode) === 0 || s.healthy[w] !== 1 || seen[w] === mark) continue;
      seen[w] = mark;
      considerDecode(s, r, w, prefixCounts[i], local);
    }
    const nLoad = s.decodeLoad.smallestInto(loadIds);
    for (let i = 0; i < nLoad; i++) {
      const w = loadIds[i];
      if (s.healthy[w] !== 1 || seen[w] === mark) continue;
      seen[w] = mark;
      considerDecode(s, r, w, local ? s.prefix.matchLength(w, r.blocks) : 0, local);
    }
    return bestD;
  }

  return {
    name: TELEMETRY,
    prepare(maxWorkers: number): void {
      if (seen.length < maxWorkers) seen = new Uint32Array(maxWorkers);
      stamp = 0;
      windowIndex = -1;
      movesInWindow = 0;
    },
    route(s: FleetSnapshot, r: RouteRequest, out: Decision): void {
      if (seen.length < s.n) seen = new Uint32Array(s.n); // unprepared use: allocate once
      const nPrefix = prefixIds.length > 0
        ? s.prefix.matchInto(r.blocks, prefixIds, prefixCounts)
        : 0;
      const p = pickPrefill(s, r, nPrefix);
      const pOk = bestPOk;
      const byPrefix = bestPCached > 0 && p !== s.prefillLoad.min();
      const d = pickDecode(s, r, nPrefix, localOn && (p < 0 || F[EST_P] > localAboveMs));
      const dOk = bestDOk;
      if (d < 0) {
        reject(out, Reason.NoWorker);
        return;
      }
      if (
        concentrate && bestLate >= 0 && F[EST_P] > lateMs && !(localBest >= 0 && F[EST_L] <= lateMs)
      ) {
        // Late wherever it goes: queue it behind work that is late already.
        out.prefill = bestLate;
        out.decode = d;
        out.reason = Reason.Queued;
        return;
      }
      if (localBest >= 0 && F[EST_L] < F[EST_P]) {
        // The prefill pool is congested (or absent) and a decode worker can do it sooner.
        out.prefill = -1;
        out.decode = localBest;
        out.reason = Reason.Load;
        return;
      }
      if (p < 0) {
        out.prefill = -1; // no prefill worker: the decode worker prefills
        out.decode = d;
        out.reason = Reason.Load;
        return;
      }
      if (!pOk || !dOk) {
        if (c.overload === "shed" && r.priority < c.shedBelowPriority) {
          reject(out, Reason.Shed);
          return;
        }
        out.prefill = p;
        out.decode = d;
        out.reason = Reason.Queued;
        return;
      }
      out.prefill = p;
      out.decode = d;
      out.reason = byPrefix ? Reason.Prefix : Reason.Load;
    },
    rebalance(s: FleetSnapshot, out: Migration): void {
      out.from = -1;
      out.to = -1;
      if (c.migrationBudget === 0) return;
      const win = Math.floor(s.nowMs / c.migrationWindowMs);
      if (win !== windowIndex) {
        windowIndex = win;
        movesInWindow = 0;
      }
      if (movesInWindow >= c.migrationBudget) return;
      const hot = s.decodeLoad.max();
      const cool = s.decodeLoad.min();
      if (hot < 0 || cool < 0 || hot === cool || s.running[hot] < 2) return;
      if (s.decodeLoad.key(cool) > c.decodeKvThreshold) return;
      decodeScore(s, hot, 0, 0);
      const hotScore = F[SCORE];
      decodeScore(s, cool, 0, 0);
      if (hotScore - F[SCORE] <= c.migrationMargin) return;
      out.from = hot;
      out.to = cool;
      movesInWindow++;
    },
  } satisfies Policy;
}
