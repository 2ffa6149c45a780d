/**
 * `least-loaded`: the simplest load-aware policy. The prefill worker is the one with
 * the fewest queued prefill tokens (uncached prompt tokens still to compute), the
 * decode worker the one with the smallest committed KV fraction (KV in use plus KV
 * wanted by requests waiting for admission). Both come from the snapshot's load
 * indexes in O(1); ties go to the lowest worker id.
 *
 * It ignores prefix locality and latency signals: it is the "join the shortest
 * queue" baseline that every smarter policy should beat.
 *
 * @module
 */

import { Reason, reject } from "../core/types.ts";
import type { Decision, FleetSnapshot, RouteRequest } from "../core/types.ts";
import { type ConfigSpec, resolveConfig } from "./config.ts";
import type { Policy, PolicyConfig, PolicyContext } from "./types.ts";

/** Registry name of {@linkcode createLeastLoaded}. */
export const LEAST_LOADED = "least-loaded";

/** `least-loaded` takes no configuration. */
export const leastLoadedSpec: ConfigSpec = {};

/**
 * Creates the least-loaded policy.
 *
 * P/D mapping: prefill = argmin queued prefill tokens over the prefill pool; decode =
 * argmin committed KV fraction over the decode pool. A fleet without a healthy
 * prefill-capable worker gets `prefill = -1` (the decode worker prefills locally).
 *
 * @example
 * ```ts
 * import { createLeastLoaded } from "./least_loaded.ts";
 * import { FleetState } from "../fleet/fleet_state.ts";
 * import { createDecision, Role } from "../core/types.ts";
 * const fleet = new FleetState([Role.Prefill, Role.Prefill, Role.Decode], 1e5, 16);
 * fleet.queuedPrefillTokens[0] = 900;
 * fleet.refresh(0);
 * const p = createLeastLoaded({}, { random: () => 0, sloTtftMs: 1, sloTpotMs: 1, prefillMsPerToken: 1 });
 * p.prepare(fleet.n);
 * const out = createDecision();
 * p.route(fleet, { id: 0, promptTokens: 10, outputTokens: 5, maxTokens: 5, blocks: new Uint32Array(), priority: 0, sessionId: -1 }, out);
 * if (out.prefill !== 1 || out.decode !== 2) throw new Error("should pick the idle workers");
 * ```
 * @throws {TypeError} When given any configuration field.
 */
export function createLeastLoaded(config: PolicyConfig, _context: PolicyContext): Policy {
  resolveConfig(LEAST_LOADED, leastLoadedSpec, config);
  return {
    name: LEAST_LOADED,
    prepare(): void {},
    route(s: FleetSnapshot, _r: RouteRequest, out: Decision): void {
      const d = s.decodeLoad.min();
      if (d < 0) {
        reject(out, Reason.NoWorker);
        return;
      }
      out.prefill = s.prefillLoad.min();
      out.decode = d;
      out.reason = Reason.Load;
    },
  } satisfies Policy;
}
