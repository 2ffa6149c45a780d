/**
 * `dynamo`: a re-creation of NVIDIA Dynamo's KV router (ai-dynamo/dynamo
 * `lib/llm/src/kv_router/scheduler.rs`, `DefaultWorkerSelector`, and the disaggregated
 * flow of `lib/llm/src/kv_router/prefill_router.rs`).
 *
 * **Cost** of worker `w` (lower is better), Dynamo's `worker_logit`:
 * `logit = overlapScoreWeight × prefillBlocks + decodeBlocks`, where
 * - `prefillBlocks = (active prefill tokens + prompt tokens − overlap blocks ×
 *   blockTokens) ÷ blockTokens`: the prefill work queued there plus this prompt's
 *   uncached part (the "prefill load scale" is `overlapScoreWeight`, default 1);
 * - `decodeBlocks = active blocks + prompt blocks − overlap blocks`: the KV blocks the
 *   worker holds for in-flight requests plus the new ones this request would add.
 *
 * The lowest logit wins. Ties go to the worker with the smallest cached tree
 * (`tree_sizes`), and when those are equal too, to a random one. With
 * `temperature > 0` the worker is sampled instead: logits are normalised to
 * `[0, 1]` by the spread `max − min`, and `p ∝ exp(−normalised / temperature)`
 * (`softmax_sample`); equal logits give a uniform draw. All randomness comes from
 * `context.random`.
 *
 * **P/D** (Dynamo's `PrefillRouter`): the prefill worker is chosen first with the
 * cost above over the prefill pool; the decode worker is then chosen with the decode
 * override `overlap_score_weight = 0`, `assume_kv_reuse = false`,
 * `track_prefill_tokens = false`, which leaves `logit = active blocks + prompt
 * blocks`: the decode worker holding the fewest KV blocks. Dynamo always
 * disaggregates by default (conditional bypass is off), so does this; without a
 * healthy prefill-capable worker `prefill = -1` (the decode worker prefills).
 *
 * **Simplified**: active prefill tokens are the snapshot's queued prefill tokens;
 * active blocks are the KV the worker has allocated (prefill pool) or committed
 * (decode pool: allocated plus waiting for admission) ÷ blockTokens, where Dynamo
 * counts the blocks of the sequences it routed; overlap comes from the snapshot's
 * prefix index (Dynamo's KV-event indexer sees the same: the engines' caches), and
 * new blocks are counted against that cache rather than against active sequences;
 * no data-parallel ranks, shared-cache tiers or queueing in the router.
 *
 * @module
 */

import { Reason, reject, Role } from "../core/types.ts";
import type { Decision, FleetSnapshot, RouteRequest } from "../core/types.ts";
import { resolveConfig, type ResolvedConfig } from "./config.ts";
import type { Policy, PolicyConfig, PolicyContext } from "./types.ts";

/** Registry name of {@linkcode createDynamo}. */
export const DYNAMO = "dynamo";

/** Configuration fields of `dynamo`, with Dynamo's `KvRouterConfig` defaults. */
export const dynamoSpec = {
  overlapScoreWeight: {
    default: 1,
    min: 0,
    doc: "Weight of the prefill blocks in the prefill pool's cost " +
      "(--kv-overlap-score-weight, default 1; 0: pure load balancing on active blocks)",
  },
  temperature: {
    default: 0,
    min: 0,
    doc: "Softmax temperature over normalised costs (--router-temperature, default 0: " +
      "always the cheapest worker)",
  },
} as const;

/** Resolved `dynamo` configuration. */
export type DynamoConfig = ResolvedConfig<typeof dynamoSpec>;

/**
 * Creates the Dynamo KV-router re-creation.
 *
 * Cost: every healthy worker of the pool is scored, O(fleet · log blocks), as
 * Dynamo's selector does; scratch is sized in `prepare`.
 *
 * @example
 * ```ts
 * import { createDynamo } from "./dynamo.ts";
 * import { FleetState } from "../fleet/fleet_state.ts";
 * import { createDecision, Role } from "../core/types.ts";
 * const fleet = new FleetState([Role.Prefill, Role.Prefill, Role.Decode], 1e5, 16);
 * fleet.queuedPrefillTokens[1] = 4000; // worker 1 is busy...
 * fleet.prefix.insert(1, new Uint32Array([7, 8, 9])); // ...but holds the prompt
 * fleet.refresh(1);
 * const p = createDynamo({}, { random: () => 0, sloTtftMs: 1, sloTpotMs: 1, prefillMsPerToken: 1 });
 * p.prepare(fleet.n);
 * const out = createDecision();
 * p.route(fleet, { id: 0, promptTokens: 48, outputTokens: 5, maxTokens: 5, blocks: new Uint32Array([7, 8, 9]), priority: 0, sessionId: -1 }, out);
 * if (out.prefill !== 0) throw new Error("4000 queued tokens cost more than 48 cached ones save");
 * ```
 * @throws {TypeError | RangeError} On a bad configuration.
 */
export function createDynamo(config: PolicyConfig, context: PolicyContext): Policy {
  const c: DynamoConfig = resolveConfig(DYNAMO, dynamoSpec, config);
  const random = context.random;
  let ids = new Int32Array(0);
  let logits = new Float64Array(0);

  function size(maxWorkers: number): void {
    if (ids.length < maxWorkers) {
      ids = new Int32Array(maxWorkers);
      logits = new Float64Array(maxWorkers);
    }
  }

  /** Scores the pool into `ids`/`logits`; returns how many. */
  function score(s: FleetSnapshot, r: RouteRequest, prefillPool: boolean): number {
    const bt = s.blockTokens;
    const nBlocks = r.blocks.length;
    const role = prefillPool ? Role.Prefill : Role.Decode;
    let k = 0;
    for (let w = 0; w < s.n; w++) {
      if ((s.role[w] & role) === 0 || s.healthy[w] !== 1) continue;
      let logit: number;
      if (prefillPool) {
        const overlap = s.prefix.matchLength(w, r.blocks);
        const newTokens = r.promptTokens - overlap * bt;
        const prefillBlocks = (s.queuedPrefillTokens[w] + (newTokens > 0 ? newTokens : 0)) / bt;
        const decodeBlocks = Math.floor(s.kvUsedTokens[w] / bt) + nBlocks - overlap;
        logit = c.overlapScoreWeight * prefillBlocks + decodeBlocks;
      } else {
        // Decode override: weight 0, no KV reuse assumed, no prefill tokens tracked.
        logit = Math.floor(s.decodeLoad.key(w) * s.kvCapacityTokens[w] / bt) + nBlocks;
      }
      ids[k] = w;
      logits[k] = logit;
      k++;
    }
    return k;
  }

  /** Dynamo's selection over the `k` scored workers. */
  function select(s: FleetSnapshot, k: number): number {
    if (k === 0) return -1;
    if (k === 1) return ids[0];
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < k; i++) {
      const v = logits[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (c.temperature > 0) {
      // softmax_sample: uniform on equal logits, else exp(−(v − min) / ((max − min)·T)).
      const u = random();
      if (min === max) return ids[Math.min(k - 1, Math.floor(u * k))];
      const scale = 1 / ((max - min) * c.temperature);
      let sum = 0;
      for (let i = 0; i < k; i++) sum += Math.exp(-(logits[i] - min) * scale);
      let acc = 0;
      const target = u * sum;
      for (let i = 0; i < k; i++) {
        acc += Math.exp(-(logits[i] - min) * scale);
        if (target <= acc) return ids[i];
      }
      return ids[k - 1];
    }
    // Temperature 0: lowest logit; ties → smallest tree, then random.
    let nMin = 0, minTree = Infinity, maxTree = -Infinity, bestTree = -1;
    for (let i = 0; i < k; i++) {
      if (logits[i] !== min) continue;
      const w = ids[i];
      ids[nMin++] = w; // compact the tied workers to the front (i ≥ nMin)
      const tree = s.prefix.blockCount(w);
      if (tree < minTree) {
        minTree = tree;
        bestTree = w;
      }
      if (tree > maxTree) maxTree = tree;
    }
    if (nMin === 1 || minTree !== maxTree) return bestTree;
    return ids[Math.floor(random() * nMin)];
  }

  return {
    name: DYNAMO,
    prepare: size,
    route(s: FleetSnapshot, r: RouteRequest, out: Decision): void {
      if (ids.length < s.n) size(s.n); // unprepared use: allocate once
      // Prefill first, then decode, as the PrefillRouter does.
      const p = select(s, score(s, r, true));
      const d = select(s, score(s, r, false));
      if (d < 0) {
        reject(out, Reason.NoWorker);
        return;
      }
      out.prefill = p;
      out.decode = d;
      out.reason = c.temperature > 0 ? Reason.Random : Reason.Score;
    },
  } satisfies Policy;
}
