/**
 * The simulator's end-of-run check: every counter of the fleet is back at zero.
 *
 * @module
 */

import type { FleetState } from "../fleet/fleet_state.ts";

/**
 * Throws when a counter of `f` is not back at zero at the end of a run: anything else
 * is a bookkeeping bug.
 */
export function checkDrained(f: FleetState): void {
  for (let w = 0; w < f.n; w++) {
    const left = [
      ["queued", f.queued[w]],
      ["running", f.running[w]],
      ["inflight", f.inflight[w]],
      ["queuedPrefillTokens", f.queuedPrefillTokens[w]],
      ["kvUsedTokens", f.kvUsedTokens[w]],
      ["kvWaitingTokens", f.kvWaitingTokens[w]],
    ] as const;
    for (const [name, value] of left) {
      if (Math.abs(value) > 1e-6) {
        throw new Error(`Simulation ended with ${name} = ${value} on worker ${w} (a bug)`);
      }
    }
  }
}
