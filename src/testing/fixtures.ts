/**
 * Fixtures for the routing benchmarks: a loaded fleet with warm prefix caches and a
 * pool of requests that share (or do not share) those caches. Built once, outside
 * any measured function, from a seed, so every run measures the same inputs.
 *
 * The fleet is half prefill, half decode (ids `0..n/2-1` prefill). Signals are drawn
 * from ranges seen in `deno task sim` runs of the default scenario (queued prefill
 * tokens up to a few thousand, KV 10–85% used, smoothed TTFT 50–400 ms, TPOT 10–25
 * ms). Prefix caches: 64 shared prompt chains of 160 blocks; every worker holds the
 * leading part (8–160 blocks) of 4 of them plus 64 blocks of its own.
 *
 * @module
 */

import { Rng } from "../core/rng.ts";
import { Role } from "../core/types.ts";
import type { RouteRequest } from "../core/types.ts";
import { FleetState } from "../fleet/fleet_state.ts";
import { kvCapacityTokens, prefillMsPerToken } from "../model/model.ts";
import { LLAMA3_8B_H100 } from "../model/presets.ts";
import type { PolicyContext } from "../policy/types.ts";

/** Fleet sizes the policy benchmarks cover. */
export const FLEET_SIZES: readonly number[] = [8, 64, 512, 4096];
/** Prompt lengths (in KV blocks) the policy benchmarks cover. */
export const PROMPT_BLOCKS: readonly number[] = [1, 24, 160];

/** Requests in a {@linkcode requestPool} by default (a power of two, for cheap cycling). */
export const REQUEST_POOL_SIZE = 256;

/** Tokens per KV block in the fixtures (the catalog workloads use 64). */
export const FIXTURE_BLOCK_TOKENS = 64;
const SHARED_CHAINS = 64;
const CHAIN_BLOCKS = 160;
const CHAINS_PER_WORKER = 4;
const OWN_BLOCKS = 64;
const SHARED_BASE = 1; // chain c, block k → SHARED_BASE + c·65536 + k
const OWN_BASE = 0x08000000; // worker-private blocks
const FRESH_BASE = 0x40000000; // request blocks nobody holds

/**
 * The fixture fleet's clock: advances `fleet.nowMs` by the seed-lab load per GPU (30
 * req/s on 4 GPUs, so `1000 / (7.5·n)` ms per decision), so that time-based policy
 * state (telemetry's pending-KV ledger, migration windows) ages as it would in a run.
 * It moves in whole milliseconds (every few decisions on big fleets): a fractional
 * `nowMs` would be boxed on every store, an allocation that is the bench's, not the
 * policy's.
 */
export class FixtureClock {
  #every: number;
  #stepMs: number;
  #count = 0;

  /** A clock for a fleet of `n` workers. */
  constructor(n: number) {
    const intervalMs = 1000 / (7.5 * n);
    this.#every = Math.max(1, Math.round(1 / intervalMs));
    this.#stepMs = Math.max(1, Math.round(intervalMs));
  }

  /** One decision's worth of time. */
  tick(fleet: FleetState): void {
    if (++this.#count === this.#every) {
      this.#count = 0;
      fleet.nowMs += this.#stepMs;
    }
  }
}

/** The routing context the fixtures are sized for (Llama-3-8B on H100, MLPerf SLOs). */
export function fixtureContext(seed = 1): PolicyContext {
  return {
    random: new Rng(seed).source(),
    sloTtftMs: 500,
    sloTpotMs: 30,
    prefillMsPerToken: prefillMsPerToken(LLAMA3_8B_H100),
  };
}

/**
 * A fleet of `n` workers (half prefill, half decode) with loads and warm prefix caches.
 *
 * @throws {RangeError} When `n` is not an even integer of at least 2.
 */
export function loadedFleet(n: number, seed = 1): FleetState {
  if (!Number.isInteger(n) || n < 2 || n % 2 !== 0) {
    throw new RangeError(`Cannot create fixture fleet: 'n' must be an even integer ≥ 2, got ${n}`);
  }
  const rng = new Rng(seed);
  const roles = new Uint8Array(n);
  for (let w = 0; w < n; w++) roles[w] = w < n / 2 ? Role.Prefill : Role.Decode;
  const cap = kvCapacityTokens(LLAMA3_8B_H100);
  const fleet = new FleetState(roles, cap, FIXTURE_BLOCK_TOKENS);
  const chain = new Uint32Array(CHAIN_BLOCKS);
  for (let w = 0; w < n; w++) {
    const prefill = w < n / 2;
    fleet.queued[w] = rng.int(prefill ? 6 : 3);
    fleet.running[w] = prefill ? rng.int(4) : 8 + rng.int(120);
    fleet.queuedPrefillTokens[w] = prefill ? rng.int(6000) : 0;
    fleet.kvUsedTokens[w] = cap * (0.1 + 0.75 * rng.next());
    fleet.kvWaitingTokens[w] = !prefill && rng.next() < 0.2 ? cap * 0.05 * rng.next() : 0;
    fleet.ttftMs[w] = prefill ? 50 + 350 * rng.next() : 0;
    fleet.tpotMs[w] = prefill ? 0 : 10 + 15 * rng.next();
    for (let c = 0; c < CHAINS_PER_WORKER; c++) {
      const id = rng.int(SHARED_CHAINS);
      const len = 8 + rng.int(CHAIN_BLOCKS - 8 + 1);
      for (let k = 0; k < len; k++) chain[k] = SHARED_BASE + id * 65536 + k;
      fleet.prefix.insert(w, chain, len);
    }
    for (let k = 0; k < OWN_BLOCKS; k++) chain[k] = OWN_BASE + w * OWN_BLOCKS + k;
    fleet.prefix.insert(w, chain, OWN_BLOCKS);
    fleet.refresh(w);
  }
  return fleet;
}

/**
 * `count` requests of `blocks` KV blocks each: three in four start with a shared
 * chain some workers hold (a random leading part of it), the rest are all fresh.
 *
 * @throws {RangeError} When `blocks` or `count` is not a positive integer.
 */
export function requestPool(blocks: number, count = REQUEST_POOL_SIZE, seed = 2): RouteRequest[] {
  for (const [name, v] of [["blocks", blocks], ["count", count]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(
        `Cannot create fixture requests: '${name}' must be a positive integer, got ${v}`,
      );
    }
  }
  const rng = new Rng(seed);
  const out: RouteRequest[] = [];
  let fresh = FRESH_BASE;
  for (let i = 0; i < count; i++) {
    const ids = new Uint32Array(blocks);
    const shared = rng.next() < 0.75 ? 1 + rng.int(Math.min(blocks, CHAIN_BLOCKS)) : 0;
    const chainId = rng.int(SHARED_CHAINS);
    for (let k = 0; k < blocks; k++) {
      ids[k] = k < shared ? SHARED_BASE + chainId * 65536 + k : fresh++;
    }
    const promptTokens = blocks * FIXTURE_BLOCK_TOKENS - rng.int(FIXTURE_BLOCK_TOKENS);
    const outputTokens = 32 + rng.int(225);
    out.push({
      id: i,
      promptTokens,
      outputTokens,
      maxTokens: outputTokens,
      blocks: ids,
      priority: 0,
      sessionId: -1,
    });
  }
  return out;
}

// ---- The allocation probe's fixtures (tests/_alloc_probe.ts, tests/policy_alloc_test.ts)
// A smaller, differently shaped fleet: 64 workers with 6 cached chains each and requests
// of 4–63 blocks. Kept as they were written for that test.

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
    for (let c = 0; c < 6; c++) fleet.prefix.insert(w, probeChain(rng.int(16), 8 + rng.int(40)));
    fleet.refresh(w);
  }
  return fleet;
}

/** Block ids of prefix `root`, `len` blocks long (equal roots share leading blocks). */
function probeChain(root: number, len: number): Uint32Array {
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
    const blocks = rng.next() < 0.5 ? probeChain(rng.int(16), len) : probeChain(1000 + i, len);
    const promptTokens = len * 64 - rng.int(63);
    const outputTokens = 1 + rng.int(500);
    out.push({
      id: i,
      promptTokens,
      outputTokens,
      maxTokens: outputTokens,
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
