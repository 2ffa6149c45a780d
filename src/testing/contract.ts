/**
 * The policy contract: one suite every policy must pass (Hono's `runTest` pattern).
 * `policyContract(name, make)` registers Deno tests checking that a policy
 *
 * - is deterministic: two instances fed the same calls decide the same;
 * - never picks an unhealthy worker or one of the wrong role;
 * - decides whenever a healthy prefill-capable and decode-capable worker exist
 *   (unless its configuration sheds, which the defaults must not);
 * - reports `NoWorker` when no healthy decode-capable worker exists;
 * - never writes to the snapshot;
 * - proposes only valid migrations (distinct, healthy, decode-capable workers).
 *
 * @module
 */

import { deepEqual as assertEquals, ok as assert } from "node:assert/strict";
import { Rng } from "../core/rng.ts";
import { createDecision, createMigration, Reason, Role } from "../core/types.ts";
import type { RouteRequest } from "../core/types.ts";
import { FleetState } from "../fleet/fleet_state.ts";
import type { Policy, PolicyContext } from "../policy/types.ts";

/** Builds a fresh policy instance for the contract. */
export type MakePolicy = (context: PolicyContext) => Policy;

/** Options of {@linkcode policyContract}. */
export interface ContractOptions {
  /** Checks to skip, each with a reason, e.g. `{ determinism: "uses wall time" }`. */
  readonly skip?: Partial<Record<ContractCheck, string>>;
  /** Random fleets per check. Default 300. */
  readonly trials?: number;
}

/** Names of the contract's checks. */
export type ContractCheck =
  | "determinism"
  | "eligibility"
  | "decides"
  | "noWorker"
  | "readOnly"
  | "migration";

/** A context with fixed SLOs and a seeded random source. */
export function contractContext(seed = 7): PolicyContext {
  return {
    random: new Rng(seed).source(),
    sloTtftMs: 1000,
    sloTpotMs: 50,
    prefillMsPerToken: 0.025,
  };
}

const BLOCK_TOKENS = 16;

/** A random fleet with random signals and prefix-cache contents. */
export function randomFleet(rng: Rng, opts: { allHealthy?: boolean } = {}): FleetState {
  const n = 1 + rng.int(40);
  const roles: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = rng.next();
    roles.push(x < 0.4 ? Role.Prefill : x < 0.85 ? Role.Decode : Role.Both);
  }
  const cap = 10_000 + rng.int(100_000);
  const fleet = new FleetState(roles, cap, BLOCK_TOKENS);
  for (let w = 0; w < n; w++) {
    fleet.healthy[w] = opts.allHealthy || rng.next() < 0.8 ? 1 : 0;
    fleet.queued[w] = rng.int(20);
    fleet.running[w] = rng.int(64);
    fleet.inflight[w] = fleet.queued[w] + fleet.running[w] + rng.int(8);
    fleet.queuedPrefillTokens[w] = rng.int(50_000);
    fleet.kvUsedTokens[w] = rng.next() * cap;
    fleet.kvWaitingTokens[w] = rng.next() < 0.3 ? rng.next() * cap * 0.3 : 0;
    fleet.ttftMs[w] = rng.next() < 0.5 ? rng.next() * 3000 : 0;
    fleet.tpotMs[w] = rng.next() < 0.5 ? rng.next() * 80 : 0;
    // Cache a few chains: shared roots 1..4, then worker-specific continuations.
    const chains = rng.int(4);
    for (let c = 0; c < chains; c++) {
      const len = 1 + rng.int(12);
      const blocks = new Uint32Array(len);
      const root = 1 + rng.int(4);
      for (let k = 0; k < len; k++) {
        blocks[k] = k < 2 ? root * 1000 + k : root * 1000 + k + 100 * rng.int(3);
      }
      fleet.prefix.insert(w, blocks);
    }
    fleet.refresh(w);
  }
  fleet.nowMs = rng.int(1_000_000);
  return fleet;
}

/** A random request whose blocks may share prefixes with {@linkcode randomFleet}'s caches. */
export function randomRequest(rng: Rng, id: number): RouteRequest {
  const promptTokens = 1 + rng.int(4000);
  const nBlocks = Math.ceil(promptTokens / BLOCK_TOKENS);
  const blocks = new Uint32Array(nBlocks);
  const root = 1 + rng.int(5);
  for (let k = 0; k < nBlocks; k++) {
    blocks[k] = k < 2 ? root * 1000 + k : root * 1000 + k + 100 * rng.int(3);
  }
  const outputTokens = 1 + rng.int(500);
  return {
    id,
    promptTokens,
    outputTokens,
    maxTokens: outputTokens,
    blocks,
    priority: rng.int(2),
    sessionId: -1,
  };
}

function snapshotArrays(f: FleetState): string {
  return JSON.stringify([
    Array.from(f.role),
    Array.from(f.healthy),
    Array.from(f.queued),
    Array.from(f.running),
    Array.from(f.inflight),
    Array.from(f.queuedPrefillTokens),
    Array.from(f.kvUsedTokens),
    Array.from(f.ttftMs),
    Array.from(f.tpotMs),
  ]);
}

function qualifies(f: FleetState, role: number): boolean {
  for (let w = 0; w < f.n; w++) if ((f.role[w] & role) !== 0 && f.healthy[w] === 1) return true;
  return false;
}

/**
 * Registers the contract's tests for one policy.
 *
 * @example
 * ```ts ignore
 * policyContract("round-robin", (ctx) => createRoundRobin({}, ctx));
 * ```
 */
export function policyContract(
  name: string,
  make: MakePolicy,
  options: ContractOptions = {},
): void {
  const trials = options.trials ?? 300;
  const skip = options.skip ?? {};
  const test = (check: ContractCheck, fn: () => void) =>
    Deno.test({
      name: `policy contract: ${name}: ${check}${skip[check] ? ` (skipped: ${skip[check]})` : ""}`,
      ignore: skip[check] !== undefined,
      fn,
    });

  test("determinism", () => {
    const rng = new Rng(101);
    for (let t = 0; t < trials / 10; t++) {
      const seed = rng.nextUint32();
      const a = make(contractContext(seed)), b = make(contractContext(seed));
      const fleetRng = new Rng(seed);
      const fleet = randomFleet(fleetRng);
      a.prepare(fleet.n);
      b.prepare(fleet.n);
      const da = createDecision(), db = createDecision();
      for (let i = 0; i < 20; i++) {
        const req = randomRequest(fleetRng, i);
        a.route(fleet, req, da);
        b.route(fleet, req, db);
        assertEquals(da, db, `decisions differ on call ${i} (seed ${seed})`);
      }
    }
  });

  test("eligibility", () => {
    const rng = new Rng(202);
    const out = createDecision();
    for (let t = 0; t < trials; t++) {
      const fleet = randomFleet(rng);
      const policy = make(contractContext(t));
      policy.prepare(fleet.n);
      for (let i = 0; i < 5; i++) {
        policy.route(fleet, randomRequest(rng, i), out);
        if (out.decode < 0) continue;
        assert(out.decode < fleet.n, `decode worker ${out.decode} out of range`);
        assert(
          (fleet.role[out.decode] & Role.Decode) !== 0,
          `decode worker ${out.decode} cannot decode`,
        );
        assertEquals(fleet.healthy[out.decode], 1, `decode worker ${out.decode} is unhealthy`);
        if (out.prefill >= 0 && out.prefill !== out.decode) {
          assert(out.prefill < fleet.n, `prefill worker ${out.prefill} out of range`);
          assert(
            (fleet.role[out.prefill] & Role.Prefill) !== 0,
            `prefill worker ${out.prefill} cannot prefill`,
          );
          assertEquals(fleet.healthy[out.prefill], 1, `prefill worker ${out.prefill} is unhealthy`);
        }
      }
    }
  });

  test("decides", () => {
    const rng = new Rng(303);
    const out = createDecision();
    let checked = 0;
    for (let t = 0; t < trials; t++) {
      const fleet = randomFleet(rng);
      if (!qualifies(fleet, Role.Prefill) || !qualifies(fleet, Role.Decode)) continue;
      const policy = make(contractContext(t));
      policy.prepare(fleet.n);
      for (let i = 0; i < 5; i++) {
        policy.route(fleet, randomRequest(rng, i), out);
        assert(out.decode >= 0, `no decision (reason ${out.reason}) although workers qualify`);
        checked++;
      }
    }
    assert(checked > trials, `too few qualifying fleets (${checked})`);
  });

  test("noWorker", () => {
    const rng = new Rng(404);
    const out = createDecision();
    for (let t = 0; t < trials / 10; t++) {
      const fleet = randomFleet(rng);
      for (let w = 0; w < fleet.n; w++) {
        if ((fleet.role[w] & Role.Decode) !== 0) fleet.setHealthy(w, false);
      }
      const policy = make(contractContext(t));
      policy.prepare(fleet.n);
      policy.route(fleet, randomRequest(rng, 0), out);
      assertEquals(out.decode, -1, "routed to a decode worker although none is healthy");
      assertEquals(out.reason, Reason.NoWorker);
    }
  });

  test("readOnly", () => {
    const rng = new Rng(505);
    const out = createDecision();
    for (let t = 0; t < trials / 10; t++) {
      const fleet = randomFleet(rng);
      const before = snapshotArrays(fleet);
      const policy = make(contractContext(t));
      policy.prepare(fleet.n);
      for (let i = 0; i < 10; i++) policy.route(fleet, randomRequest(rng, i), out);
      const mv = createMigration();
      policy.rebalance?.(fleet, mv);
      assertEquals(snapshotArrays(fleet), before, "the policy wrote to the snapshot");
    }
  });

  test("migration", () => {
    const rng = new Rng(606);
    const mv = createMigration();
    for (let t = 0; t < trials; t++) {
      const fleet = randomFleet(rng, { allHealthy: t % 2 === 0 });
      const policy = make(contractContext(t));
      policy.prepare(fleet.n);
      if (!policy.rebalance) return;
      policy.rebalance(fleet, mv);
      if (mv.from < 0 && mv.to < 0) continue;
      assert(mv.from >= 0 && mv.to >= 0 && mv.from !== mv.to, `bad move ${mv.from} → ${mv.to}`);
      for (const w of [mv.from, mv.to]) {
        assert((fleet.role[w] & Role.Decode) !== 0, `migration touches non-decode worker ${w}`);
      }
      assertEquals(fleet.healthy[mv.to], 1, `migration target ${mv.to} is unhealthy`);
    }
  });
}
