/**
 * `sglang`: a re-creation of SGLang router's `cache_aware` policy
 * (sgl-project/sglang `sgl-router/src/policies/cache_aware.rs`).
 *
 * For each pool, on every request:
 * 1. **Balance check**: with `load` = the router's in-flight requests on the worker
 *    (counted from dispatch, as SGLang's router does; `FleetSnapshot.inflight`), the
 *    pool is imbalanced when `max − min > balanceAbsThreshold` **and**
 *    `max > balanceRelThreshold × min`. Then the request goes to the least-loaded
 *    worker (shortest queue; lowest id on ties).
 * 2. Otherwise **cache-aware**: the worker with the longest prefix match wins if its
 *    match rate (matched ÷ prompt length) exceeds `cacheThreshold`; else the worker
 *    with the smallest cache tree (`get_smallest_tenant`) wins.
 * 3. Either way the request is inserted into the chosen worker's tree.
 *
 * Defaults are `CacheAwareConfig::default()` in `sgl-router/src/policies/mod.rs`:
 * cache threshold 0.5, absolute balance threshold 32, relative 1.1. (The router's
 * command line defaults differ: 0.3 / 64 / 1.5; set them with `--set`.)
 *
 * **P/D**: SGLang's PD router selects the prefill worker with its prefill policy and
 * the decode worker with its decode policy, independently; both default to the main
 * policy, so here both pools run `cache_aware`, each with its own trees. SGLang
 * always disaggregates, so does this; without a healthy prefill-capable worker
 * `prefill = -1` (the decode worker prefills).
 *
 * **Simplified**: prefix matches are read from the snapshot's prefix index (the
 * engines' caches, as SGLang's KV-event tree source sees them) in whole blocks, not
 * characters; the tree size of a worker is this policy's own count of the blocks it
 * inserted (the blocks of each routed prompt not already matched there), without
 * eviction, modelling the approximate tree under the router's default
 * `max_tree_size` of 2^26 characters; unhealthy workers are left out of the load
 * statistics.
 *
 * @module
 */

import { Reason, reject, Role } from "../core/types.ts";
import type { Decision, FleetSnapshot, RouteRequest } from "../core/types.ts";
import { resolveConfig, type ResolvedConfig } from "./config.ts";
import type { Policy, PolicyConfig, PolicyContext } from "./types.ts";

/** Registry name of {@linkcode createSglang}. */
export const SGLANG = "sglang";

/** Configuration fields of `sglang`, with `CacheAwareConfig::default()` values. */
export const sglangSpec = {
  cacheThreshold: {
    default: 0.5,
    min: 0,
    max: 1,
    doc: "Prefix match rate above which the best-matching worker is used",
  },
  balanceAbsThreshold: {
    default: 32,
    min: 0,
    doc: "Load spread (max − min requests) above which the pool may be imbalanced",
  },
  balanceRelThreshold: {
    default: 1.1,
    min: 0,
    doc: "Load ratio (max ÷ min) above which the pool may be imbalanced (both must hold)",
  },
} as const;

/** Resolved `sglang` configuration. */
export type SglangConfig = ResolvedConfig<typeof sglangSpec>;

/**
 * Creates the SGLang cache-aware re-creation.
 *
 * Cost: one pass over the pool for loads and one for prefix matches, O(fleet · log
 * blocks), as SGLang's policy does; tree sizes live in a typed array sized in
 * `prepare`.
 *
 * @example
 * ```ts
 * import { createSglang } from "./sglang.ts";
 * import { FleetState } from "../fleet/fleet_state.ts";
 * import { createDecision, Role } from "../core/types.ts";
 * const fleet = new FleetState([Role.Prefill, Role.Prefill, Role.Decode], 1e5, 16);
 * fleet.prefix.insert(1, new Uint32Array([7, 8, 9]));
 * const p = createSglang({}, { random: () => 0, sloTtftMs: 1, sloTpotMs: 1, prefillMsPerToken: 1 });
 * p.prepare(fleet.n);
 * const out = createDecision();
 * p.route(fleet, { id: 0, promptTokens: 64, outputTokens: 5, maxTokens: 5, blocks: new Uint32Array([7, 8, 9, 10]), priority: 0, sessionId: -1 }, out);
 * if (out.prefill !== 1) throw new Error("a 75% match should win");
 * ```
 * @throws {TypeError | RangeError} On a bad configuration.
 */
export function createSglang(config: PolicyConfig, _context: PolicyContext): Policy {
  const c: SglangConfig = resolveConfig(SGLANG, sglangSpec, config);
  let treeBlocks = new Float64Array(0);

  function size(maxWorkers: number): void {
    if (treeBlocks.length < maxWorkers) treeBlocks = new Float64Array(maxWorkers);
    else treeBlocks.fill(0);
  }

  let byCache = false;

  /** `select_worker` over the healthy workers with `role`; -1 when none. */
  function select(s: FleetSnapshot, r: RouteRequest, role: number): number {
    const n = s.n;
    let minLoad = Infinity, maxLoad = -Infinity, minW = -1;
    for (let w = 0; w < n; w++) {
      if ((s.role[w] & role) === 0 || s.healthy[w] !== 1) continue;
      const load = s.inflight[w];
      if (load < minLoad) {
        minLoad = load;
        minW = w;
      }
      if (load > maxLoad) maxLoad = load;
    }
    if (minW < 0) return -1;
    const nBlocks = r.blocks.length;
    byCache = false;
    let pick: number;
    if (maxLoad - minLoad > c.balanceAbsThreshold && maxLoad > minLoad * c.balanceRelThreshold) {
      pick = minW; // shortest queue
    } else {
      let bestMatch = 0, bestW = -1, smallTree = Infinity, smallW = -1;
      for (let w = 0; w < n; w++) {
        if ((s.role[w] & role) === 0 || s.healthy[w] !== 1) continue;
        const m = nBlocks > 0 ? s.prefix.matchLength(w, r.blocks) : 0;
        if (m > bestMatch) {
          bestMatch = m;
          bestW = w;
        }
        if (treeBlocks[w] < smallTree) {
          smallTree = treeBlocks[w];
          smallW = w;
        }
      }
      const rate = nBlocks > 0 ? bestMatch / nBlocks : 0;
      byCache = rate > c.cacheThreshold;
      pick = byCache ? bestW : smallW;
    }
    // Insert the prompt into the chosen worker's tree: its unmatched blocks are new nodes.
    treeBlocks[pick] += nBlocks - (nBlocks > 0 ? s.prefix.matchLength(pick, r.blocks) : 0);
    return pick;
  }

  return {
    name: SGLANG,
    prepare: size,
    route(s: FleetSnapshot, r: RouteRequest, out: Decision): void {
      if (treeBlocks.length < s.n) size(s.n); // unprepared use: allocate once
      const p = select(s, r, Role.Prefill);
      const pByCache = byCache;
      const d = select(s, r, Role.Decode);
      if (d < 0) {
        reject(out, Reason.NoWorker);
        return;
      }
      out.prefill = p;
      out.decode = d;
      out.reason = pByCache || byCache ? Reason.Prefix : Reason.Load;
    },
  } satisfies Policy;
}
