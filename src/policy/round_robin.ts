/**
 * `round-robin`: the baseline. Independent rotations over the prefill pool and the
 * decode pool, skipping unhealthy workers. Ignores load and locality.
 *
 * @module
 */

import { Reason, reject, Role } from "../core/types.ts";
import type { Decision, FleetSnapshot, RouteRequest } from "../core/types.ts";
import { type ConfigSpec, resolveConfig } from "./config.ts";
import type { Policy, PolicyConfig, PolicyContext } from "./types.ts";

/** Registry name of {@linkcode createRoundRobin}. */
export const ROUND_ROBIN = "round-robin";

/** `round-robin` takes no configuration. */
export const roundRobinSpec: ConfigSpec = {};

/**
 * Creates the round-robin baseline.
 *
 * @example
 * ```ts
 * import { createRoundRobin } from "./round_robin.ts";
 * import { FleetState } from "../fleet/fleet_state.ts";
 * import { createDecision, Role } from "../core/types.ts";
 * const fleet = new FleetState([Role.Prefill, Role.Prefill, Role.Decode], 1e5, 16);
 * const rr = createRoundRobin({}, { random: Math.random, sloTtftMs: 1, sloTpotMs: 1, prefillMsPerToken: 1 });
 * rr.prepare(fleet.n);
 * const out = createDecision();
 * const req = { id: 0, promptTokens: 10, outputTokens: 5, maxTokens: 5, blocks: new Uint32Array(), priority: 0, sessionId: -1 };
 * rr.route(fleet, req, out); // prefill 0, decode 2
 * rr.route(fleet, req, out); // prefill 1, decode 2
 * if (out.prefill !== 1 || out.decode !== 2) throw new Error("not rotating");
 * ```
 * @throws {TypeError} When given any configuration field.
 */
export function createRoundRobin(config: PolicyConfig, _context: PolicyContext): Policy {
  resolveConfig(ROUND_ROBIN, roundRobinSpec, config);
  let nextPrefill = 0;
  let nextDecode = 0;

  // Next healthy worker with `role` at or after `start`, or -1. O(n) worst case only
  // when most workers are of the other role or unhealthy; this is the baseline.
  function pick(s: FleetSnapshot, start: number, role: number): number {
    const n = s.n;
    for (let i = 0; i < n; i++) {
      const w = (start + i) % n;
      if ((s.role[w] & role) !== 0 && s.healthy[w] === 1) return w;
    }
    return -1;
  }

  return {
    name: ROUND_ROBIN,
    prepare(): void {
      nextPrefill = 0;
      nextDecode = 0;
    },
    route(s: FleetSnapshot, _r: RouteRequest, out: Decision): void {
      const p = pick(s, nextPrefill % s.n, Role.Prefill);
      const d = pick(s, nextDecode % s.n, Role.Decode);
      if (p < 0 || d < 0) {
        reject(out, Reason.NoWorker);
        return;
      }
      nextPrefill = p + 1;
      nextDecode = d + 1;
      out.prefill = p;
      out.decode = d;
      out.reason = Reason.RoundRobin;
    },
  } satisfies Policy;
}
