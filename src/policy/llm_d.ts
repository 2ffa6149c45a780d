/**
 * `llm-d`: a re-creation of the llm-d inference scheduler's P/D configuration
 * (llm-d/llm-d-inference-scheduler `deploy/config/pd-epp-config.yaml`).
 *
 * **Scoring** (both profiles): candidates pass a role filter (`decode-filter` /
 * `prefill-filter`); each candidate gets the weighted sum of
 * - `prefix-cache-scorer` × 2: matched leading blocks ÷ prompt blocks, at most
 *   `maxPrefixBlocksToMatch` blocks counted (GIE
 *   `pkg/epp/scheduling/framework/plugins/multi/prefix/plugin.go`);
 * - `queue-scorer` × 1: `(maxQ − q) ÷ (maxQ − minQ)` over the candidates, where `q` is
 *   the worker's waiting-queue length, and 1 for everyone when all queues are equal
 *   (GIE `pkg/epp/scheduling/framework/plugins/scorer/queue.go`).
 *
 * Both scores lie in [0,1]. The `max-score-picker` keeps the highest total and breaks
 * ties at random (GIE `picker/max_score_picker.go` shuffles before a stable sort);
 * here ties are broken by `context.random`, so runs stay reproducible.
 *
 * **P/D** (llm-d `pkg/plugins/profile/pd_profile_handler.go`): the decode profile runs
 * first. Then the `prefix-based-pd-decider`
 * (`pkg/plugins/profile/prefix_based_pd_decider.go`) looks at the chosen decode
 * worker: with `nonCachedTokens ≤ 0` it always disaggregates; otherwise a prompt
 * shorter than the threshold, or one whose part not cached on the decode worker is
 * shorter than it, is prefilled by the decode worker itself (`prefill = -1`); else the
 * prefill profile picks a prefill worker. The sample config sets the threshold to 16
 * tokens. If the prefill profile finds no worker, the decode worker prefills.
 *
 * **Simplified**: the prefix score reads the snapshot's prefix index, the engines'
 * real cache contents (as llm-d's `precise-prefix-cache-scorer` does from KV
 * events), instead of GIE's approximate index of past routing decisions; prompt
 * length is known in tokens instead of being estimated from characters ÷ 4.
 *
 * @module
 */

import { Reason, reject, Role } from "../core/types.ts";
import type { Decision, FleetSnapshot, RouteRequest } from "../core/types.ts";
import { resolveConfig, type ResolvedConfig } from "./config.ts";
import type { Policy, PolicyConfig, PolicyContext } from "./types.ts";

/** Registry name of {@linkcode createLlmD}. */
export const LLM_D = "llm-d";

/** Configuration fields of `llm-d`, with the defaults of llm-d's sample P/D config. */
export const llmDSpec = {
  prefixWeight: {
    default: 2,
    min: 0,
    doc: "Weight of the prefix-cache scorer (pd-epp-config.yaml: 2)",
  },
  queueWeight: {
    default: 1,
    min: 0,
    doc: "Weight of the queue scorer (pd-epp-config.yaml: 1)",
  },
  nonCachedTokens: {
    default: 16,
    min: 0,
    integer: true,
    doc: "Uncached prompt tokens on the decode worker from which a remote prefill is used " +
      "(prefix-based-pd-decider; 0: always disaggregate; pd-epp-config.yaml: 16)",
  },
  maxPrefixBlocksToMatch: {
    default: 256,
    min: 1,
    integer: true,
    doc: "Leading blocks the prefix scorer looks at (GIE DefaultMaxPrefixBlocks: 256)",
  },
} as const;

/** Resolved `llm-d` configuration. */
export type LlmDConfig = ResolvedConfig<typeof llmDSpec>;

/**
 * Creates the llm-d re-creation.
 *
 * Cost: each profile scores every healthy worker of its role, O(fleet · log blocks),
 * as llm-d's scheduler does; scratch is sized in `prepare`.
 *
 * @example
 * ```ts
 * import { createLlmD } from "./llm_d.ts";
 * import { FleetState } from "../fleet/fleet_state.ts";
 * import { createDecision, Role } from "../core/types.ts";
 * const fleet = new FleetState([Role.Prefill, Role.Prefill, Role.Decode], 1e5, 16);
 * fleet.prefix.insert(1, new Uint32Array([7, 8]));
 * const p = createLlmD({}, { random: () => 0, sloTtftMs: 1, sloTpotMs: 1, prefillMsPerToken: 1 });
 * p.prepare(fleet.n);
 * const out = createDecision();
 * p.route(fleet, { id: 0, promptTokens: 40, outputTokens: 5, maxTokens: 5, blocks: new Uint32Array([7, 8, 9]), priority: 0, sessionId: -1 }, out);
 * if (out.decode !== 2 || out.prefill !== 1) throw new Error("prefix holder should prefill");
 * ```
 * @throws {TypeError | RangeError} On a bad configuration.
 */
export function createLlmD(config: PolicyConfig, context: PolicyContext): Policy {
  const c: LlmDConfig = resolveConfig(LLM_D, llmDSpec, config);
  const random = context.random;
  let ties = new Int32Array(0);
  let matched = new Float64Array(0); // matched fraction of the decode pick, for the decider

  /** Max-score pick over healthy workers with `role`; -1 when none. */
  function pickProfile(s: FleetSnapshot, r: RouteRequest, role: number): number {
    const n = s.n;
    let minQ = Infinity, maxQ = -Infinity;
    for (let w = 0; w < n; w++) {
      if ((s.role[w] & role) === 0 || s.healthy[w] !== 1) continue;
      const q = s.queued[w];
      if (q < minQ) minQ = q;
      if (q > maxQ) maxQ = q;
    }
    if (minQ === Infinity) return -1;
    const total = r.blocks.length < c.maxPrefixBlocksToMatch
      ? r.blocks.length
      : c.maxPrefixBlocksToMatch;
    let best = -Infinity, nTies = 0;
    for (let w = 0; w < n; w++) {
      if ((s.role[w] & role) === 0 || s.healthy[w] !== 1) continue;
      let prefix = 0;
      if (total > 0) {
        const m = s.prefix.matchLength(w, r.blocks);
        prefix = (m < total ? m : total) / total;
      }
      const queue = maxQ === minQ ? 1 : (maxQ - s.queued[w]) / (maxQ - minQ);
      const score = c.prefixWeight * prefix + c.queueWeight * queue;
      if (score > best) {
        best = score;
        ties[0] = w;
        matched[0] = prefix;
        nTies = 1;
      } else if (score === best) {
        ties[nTies] = w;
        matched[nTies] = prefix;
        nTies++;
      }
    }
    const k = nTies === 1 ? 0 : Math.floor(random() * nTies);
    matched[0] = matched[k];
    return ties[k];
  }

  function size(maxWorkers: number): void {
    if (ties.length < maxWorkers) {
      ties = new Int32Array(maxWorkers);
      matched = new Float64Array(maxWorkers);
    }
  }

  return {
    name: LLM_D,
    prepare: size,
    route(s: FleetSnapshot, r: RouteRequest, out: Decision): void {
      if (ties.length < s.n) size(s.n); // unprepared use: allocate once
      const d = pickProfile(s, r, Role.Decode);
      if (d < 0) {
        reject(out, Reason.NoWorker);
        return;
      }
      out.decode = d;
      out.reason = Reason.Score;
      // prefix-based-pd-decider on the chosen decode worker.
      const threshold = c.nonCachedTokens;
      if (threshold > 0) {
        const hitTokens = s.prefix.matchLength(d, r.blocks) * s.blockTokens;
        if (r.promptTokens < threshold || r.promptTokens - hitTokens < threshold) {
          out.prefill = -1;
          if (hitTokens > 0) out.reason = Reason.Prefix;
          return;
        }
      }
      out.prefill = pickProfile(s, r, Role.Prefill);
      if (out.prefill >= 0 && matched[0] > 0) out.reason = Reason.Prefix;
    },
  } satisfies Policy;
}
