/**
 * `power-of-two`: the power of two random choices (Mitzenmacher, 2001), as shipped
 * by SGLang's router (sgl-project/sglang `sgl-router/src/policies/power_of_two.rs`):
 * draw two distinct healthy workers of the pool uniformly at random and keep the one
 * with the lower load; equal loads keep the first draw.
 *
 * Load is the snapshot's load-index key: queued prefill tokens for the prefill pool,
 * committed KV fraction for the decode pool. SGLang's router compares its own
 * in-flight request counts (or the engines' `/get_load`); the index keys are what
 * our snapshot tracks for the same purpose.
 *
 * @module
 */

import { Reason, reject, Role } from "../core/types.ts";
import type { Decision, FleetSnapshot, LoadIndexView, RouteRequest } from "../core/types.ts";
import { type ConfigSpec, resolveConfig } from "./config.ts";
import type { Policy, PolicyConfig, PolicyContext } from "./types.ts";

/** Registry name of {@linkcode createPowerOfTwo}. */
export const POWER_OF_TWO = "power-of-two";

/** `power-of-two` takes no configuration. */
export const powerOfTwoSpec: ConfigSpec = {};

/**
 * Creates the power-of-two-choices policy. Randomness comes from `context.random`
 * only, so runs are reproducible under a seed.
 *
 * P/D mapping: two draws in the prefill pool pick the prefill worker, two draws in
 * the decode pool pick the decode worker, independently. A pool with one healthy
 * worker needs no draw. Without a healthy prefill-capable worker `prefill = -1`
 * (the decode worker prefills locally).
 *
 * Cost: one O(fleet) pass collects the healthy members of each pool (SGLang's router
 * does the same); scratch is sized in `prepare`.
 *
 * @example
 * ```ts
 * import { createPowerOfTwo } from "./power_of_two.ts";
 * import { FleetState } from "../fleet/fleet_state.ts";
 * import { createDecision, Role } from "../core/types.ts";
 * const fleet = new FleetState([Role.Prefill, Role.Prefill, Role.Decode], 1e5, 16);
 * fleet.queuedPrefillTokens[0] = 900;
 * fleet.refresh(0);
 * let x = 0;
 * const p = createPowerOfTwo({}, { random: () => (x = (x + 0.37) % 1), sloTtftMs: 1, sloTpotMs: 1, prefillMsPerToken: 1 });
 * p.prepare(fleet.n);
 * const out = createDecision();
 * p.route(fleet, { id: 0, promptTokens: 10, outputTokens: 5, maxTokens: 5, blocks: new Uint32Array(), priority: 0, sessionId: -1 }, out);
 * if (out.prefill !== 1 || out.decode !== 2) throw new Error("two choices keep the idle worker");
 * ```
 * @throws {TypeError} When given any configuration field.
 */
export function createPowerOfTwo(config: PolicyConfig, context: PolicyContext): Policy {
  resolveConfig(POWER_OF_TWO, powerOfTwoSpec, config);
  const random = context.random;
  let members = new Int32Array(0);

  function pick(s: FleetSnapshot, role: number, load: LoadIndexView): number {
    let k = 0;
    for (let w = 0; w < s.n; w++) {
      if ((s.role[w] & role) !== 0 && s.healthy[w] === 1) members[k++] = w;
    }
    if (k === 0) return -1;
    if (k === 1) return members[0];
    const i = Math.floor(random() * k);
    let j = Math.floor(random() * (k - 1));
    if (j >= i) j++; // two distinct draws
    const a = members[i], b = members[j];
    return load.key(a) <= load.key(b) ? a : b;
  }

  return {
    name: POWER_OF_TWO,
    prepare(maxWorkers: number): void {
      if (members.length < maxWorkers) members = new Int32Array(maxWorkers);
    },
    route(s: FleetSnapshot, _r: RouteRequest, out: Decision): void {
      if (members.length < s.n) members = new Int32Array(s.n); // unprepared use: allocate once
      const d = pick(s, Role.Decode, s.decodeLoad);
      if (d < 0) {
        reject(out, Reason.NoWorker);
        return;
      }
      out.prefill = pick(s, Role.Prefill, s.prefillLoad);
      out.decode = d;
      out.reason = Reason.Random;
    },
  } satisfies Policy;
}
