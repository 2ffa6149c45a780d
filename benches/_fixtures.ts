// Fixtures shared by the policy bench and the allocation probe: a 64-worker fleet with
// varied signals and cached prefixes, and requests that share some of those prefixes.
import { Rng } from "../src/core/rng.ts";
import { Role, type RouteRequest } from "../src/core/types.ts";
import { FleetState } from "../src/index/fleet_state.ts";
import type { PolicyContext } from "../src/policy/types.ts";

/** `n` workers, half prefill and half decode, with random load and cache contents. */
export function benchFleet(seed = 1, n = 64): FleetState {
  const rng = new Rng(seed);
  const roles: number[] = [];
  for (let i = 0; i < n; i++) roles.push(i < n / 2 ? Role.Prefill : Role.Decode);
  const fleet = new FleetState(roles, 460_000, 64);
  for (let w = 0; w < n; w++) {
    fleet.queued[w] = rng.int(8);
    fleet.running[w] = rng.int(64);
    fleet.inflight[w] = fleet.queued[w] + fleet.running[w] + rng.int(4);
    fleet.queuedPrefillTokens[w] = rng.int(40_000);
    fleet.kvUsedTokens[w] = rng.next() * 300_000;
    fleet.ttftMs[w] = rng.next() * 800;
    fleet.tpotMs[w] = 10 + rng.next() * 20;
    for (let c = 0; c < 6; c++) fleet.prefix.insert(w, chain(rng.int(16), 8 + rng.int(40)));
    fleet.refresh(w);
  }
  return fleet;
}

/** Block ids of prefix `root`, `len` blocks long (equal roots share leading blocks). */
function chain(root: number, len: number): Uint32Array {
  const blocks = new Uint32Array(len);
  for (let k = 0; k < len; k++) blocks[k] = (root + 1) * 100_000 + k;
  return blocks;
}

/** `count` requests, half of them starting with a cached prefix. */
export function benchRequests(count = 256, seed = 2): RouteRequest[] {
  const rng = new Rng(seed);
  const out: RouteRequest[] = [];
  for (let i = 0; i < count; i++) {
    const len = 4 + rng.int(60);
    const blocks = rng.next() < 0.5 ? chain(rng.int(16), len) : chain(1000 + i, len);
    out.push({
      id: i,
      promptTokens: len * 64 - rng.int(63),
      outputTokens: 1 + rng.int(500),
      blocks,
      priority: rng.int(2),
      sessionId: -1,
    });
  }
  return out;
}

/** A seeded context with the H100 preset's prefill cost. */
export function benchContext(seed = 3): PolicyContext {
  return {
    random: new Rng(seed).source(),
    sloTtftMs: 500,
    sloTpotMs: 30,
    prefillMsPerToken: 0.027,
  };
}
