/**
 * The policy interface: one small contract shared by the simulator and the proxy.
 *
 * @module
 */

import type {
  Decision,
  FleetSnapshot,
  Migration,
  RandomSource,
  RouteRequest,
} from "../core/types.ts";

/**
 * A routing policy. `route` reads a snapshot and a request and fills the caller's
 * decision; it is deterministic for the same sequence of calls and allocates nothing
 * (scratch space is sized in `prepare`).
 *
 * @example A policy that always picks workers 0 and 1
 * ```ts
 * import type { Policy } from "./types.ts";
 * import { Reason } from "../core/types.ts";
 * const fixed: Policy = {
 *   name: "fixed",
 *   prepare() {},
 *   route(_s, _r, out) {
 *     out.prefill = 0;
 *     out.decode = 1;
 *     out.reason = Reason.Load;
 *   },
 * };
 * ```
 */
export interface Policy {
  /** Registry name of the policy. */
  readonly name: string;
  /** Sizes scratch buffers for up to `maxWorkers` workers. Called before the first `route`. */
  prepare(maxWorkers: number): void;
  /** Picks the prefill and decode workers for `request`, or sheds it, writing into `out`. */
  route(snapshot: FleetSnapshot, request: RouteRequest, out: Decision): void;
  /**
   * Optional: proposes moving one decoding request between decode workers, writing
   * `out.from = out.to = -1` for "no move". Called periodically in simulated time.
   */
  rebalance?(snapshot: FleetSnapshot, out: Migration): void;
}

/**
 * Facts about the deployment that any policy may use, supplied by the caller (the
 * simulator's model preset, the CLI's SLO and migration flags), as opposed to a
 * policy's own knobs. `buildPolicy` (`./build.ts`) makes one from a plain
 * `PolicyDeployment`; tests may write one by hand.
 */
export interface PolicyContext {
  /** Seeded random source; the only randomness a policy may use. */
  readonly random: RandomSource;
  /** Time-to-first-token objective, ms. */
  readonly sloTtftMs: number;
  /** Time-per-output-token objective, ms. */
  readonly sloTpotMs: number;
  /** Estimated prefill compute per uncached prompt token on one worker, ms. */
  readonly prefillMsPerToken: number;
  /**
   * Decode migrations the deployment allows per migration window (0: none). A policy
   * that migrates uses it unless its own configuration sets a budget.
   *
   * @default {0}
   */
  readonly migrationBudget?: number;
}

/** A policy's configuration: plain JSON-like data, validated by its factory. */
export type PolicyConfig = Readonly<Record<string, unknown>>;

/**
 * Builds a policy from its configuration, validating it once.
 *
 * @throws {RangeError | TypeError} On a bad configuration.
 */
export type PolicyFactory = (config: PolicyConfig, context: PolicyContext) => Policy;
