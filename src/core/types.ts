/**
 * Plain data shared by every layer: requests, worker roles, the read-only fleet
 * snapshot a policy sees, and the decision it writes.
 *
 * Workers are identified by dense integer ids `0..n-1` so that every per-worker
 * signal is one slot of a typed array.
 *
 * @module
 */

/** Dense worker index, `0..n-1`. `-1` means "none". */
export type WorkerId = number;

/** Bit flags for what a worker may do. */
export const Role = {
  /** Runs prompts (prefill pool). */
  Prefill: 1,
  /** Generates tokens (decode pool). */
  Decode: 2,
  /** Does both (a colocated, non-disaggregated engine). */
  Both: 3,
} as const;

/** One of the {@linkcode Role} values. */
export type RoleValue = typeof Role[keyof typeof Role];

/** A source of uniform random numbers in `[0, 1)`; injected, never global. */
export type RandomSource = () => number;

/**
 * What a policy needs to know about one request. Lengths are in tokens.
 */
export interface RouteRequest {
  /** Caller's id for the request; policies must not depend on its value. */
  readonly id: number;
  /** Prompt length in tokens. */
  readonly promptTokens: number;
  /** Expected output length in tokens (0 when unknown). */
  readonly outputTokens: number;
  /**
   * The most output tokens the request may produce, as a live router knows it from
   * the request's `max_tokens`. The simulator fills it with the true output length for
   * now (so that nothing changes); the realism issue gives it a client's rule.
   */
  readonly maxTokens: number;
  /**
   * Hashes of the prompt's KV blocks, in order. Block `i` covers prompt tokens
   * `[i*blockTokens, (i+1)*blockTokens)`; equal hashes at equal positions mean a
   * shared prefix.
   */
  readonly blocks: Uint32Array;
  /** Larger is more important. Used when all workers are over threshold. */
  readonly priority: number;
  /** Conversation id (`-1` when none). */
  readonly sessionId: number;
}

/** A request with its arrival time: what workloads and traces produce. */
export interface InferenceRequest extends RouteRequest {
  /** Arrival time in milliseconds from the start of the run. */
  readonly arrivalMs: number;
}

/** Why a policy decided what it did. Numbers, so that the hot path allocates nothing. */
export const Reason = {
  /** Not decided yet. */
  None: 0,
  /** Picked by rotation. */
  RoundRobin: 1,
  /** Picked mainly for load. */
  Load: 2,
  /** Picked mainly for prefix-cache locality. */
  Prefix: 3,
  /** Every eligible worker was over its pool threshold; routed anyway (queued). */
  Queued: 4,
  /** Every worker was over its pool threshold; the request is shed. */
  Shed: 5,
  /** No healthy worker of the needed role exists. */
  NoWorker: 6,
  /** Picked by a weighted sum of scorers. */
  Score: 7,
  /** Picked by a random choice. */
  Random: 8,
} as const;

/** One of the {@linkcode Reason} values. */
export type ReasonCode = typeof Reason[keyof typeof Reason];

/**
 * Where a request goes. Owned by the caller and reused between calls.
 *
 * - `decode === -1`: rejected (shed); see `reason`.
 * - `prefill === -1` with `decode >= 0`: no split, the decode worker prefills locally.
 */
export interface Decision {
  /** Prefill worker, or `-1` for "decode worker prefills". */
  prefill: WorkerId;
  /** Decode worker, or `-1` for "rejected". */
  decode: WorkerId;
  /** A {@linkcode Reason} code. */
  reason: number;
}

/** A decode-pool rebalancing move proposed by a policy. Caller-owned and reused. */
export interface Migration {
  /** Worker to move a decoding request away from, or `-1` for none. */
  from: WorkerId;
  /** Worker to move it to, or `-1` for none. */
  to: WorkerId;
}

/** Creates an empty caller-owned {@linkcode Decision}. */
export function createDecision(): Decision {
  return { prefill: -1, decode: -1, reason: Reason.None };
}

/**
 * Writes "rejected" into `out`: no prefill, no decode worker, and `reason` (a
 * {@linkcode Reason} code such as `Reason.NoWorker` or `Reason.Shed`).
 *
 * @example
 * ```ts
 * import { createDecision, Reason, reject } from "./types.ts";
 * const out = createDecision();
 * reject(out, Reason.NoWorker);
 * if (out.decode !== -1 || out.reason !== Reason.NoWorker) throw new Error("not rejected");
 * ```
 */
export function reject(out: Decision, reason: number): void {
  out.prefill = -1;
  out.decode = -1;
  out.reason = reason;
}

/** Creates an empty caller-owned {@linkcode Migration}. */
export function createMigration(): Migration {
  return { from: -1, to: -1 };
}

/**
 * Workers holding a leading run of a request's blocks. Implemented by the prefix index.
 */
export interface PrefixIndexView {
  /**
   * Writes up to `ids.length` workers with the longest leading match of `blocks`
   * into `ids`, and their matched block counts into `counts`, longest first.
   * Returns how many were written. Work is O(log b + k), not O(n).
   */
  matchInto(blocks: Uint32Array, ids: Int32Array, counts: Uint16Array): number;
  /** Number of leading blocks of `blocks` held by `worker`. O(log b). */
  matchLength(worker: WorkerId, blocks: Uint32Array): number;
  /** Number of blocks `worker` holds in its cache. */
  blockCount(worker: WorkerId): number;
}

/**
 * An index over one pool's load keys: min and max in O(1), the k smallest in
 * O(k log n). Keys are set by the snapshot's owner; unhealthy workers and workers
 * outside the pool carry `Infinity` (min) and are skipped by max.
 */
export interface LoadIndexView {
  /** Number of workers in the pool (finite keys). */
  readonly size: number;
  /** The key of `worker` (Infinity when not in the pool or unhealthy). */
  key(worker: WorkerId): number;
  /** Worker with the smallest key (lowest id on ties), or `-1` when the pool is empty. */
  min(): WorkerId;
  /** Worker with the largest finite key (lowest id on ties), or `-1`. */
  max(): WorkerId;
  /** Writes up to `ids.length` workers with the smallest keys, ascending; returns the count. */
  smallestInto(ids: Int32Array): number;
  /** Sum of finite keys. */
  readonly sum: number;
  /** Sum of squares of finite keys. */
  readonly sumSquares: number;
}

/**
 * A read-only view of the fleet at one instant. Arrays are indexed by {@linkcode WorkerId}.
 * Policies read it and never write it.
 */
export interface FleetSnapshot {
  /** Time of the snapshot in milliseconds. */
  readonly nowMs: number;
  /** Number of workers. */
  readonly n: number;
  /** Tokens per KV block (the unit of `RouteRequest.blocks`). */
  readonly blockTokens: number;
  /** {@linkcode Role} flags per worker. */
  readonly role: Uint8Array;
  /** 1 if the worker is healthy and accepting work, else 0. */
  readonly healthy: Uint8Array;
  /** Requests waiting (not yet running) per worker. */
  readonly queued: Uint32Array;
  /** Requests running (in the batch) per worker. */
  readonly running: Uint32Array;
  /**
   * Requests routed to the worker and not yet done there, as a router counts them from
   * dispatch: on a prefill worker until its prefill finishes, on a decode worker until
   * its last token. Unlike `queued`/`running` it includes requests still on their way.
   */
  readonly inflight: Uint32Array;
  /** Prompt tokens still to compute (uncached, not yet prefilled) per worker. */
  readonly queuedPrefillTokens: Float64Array;
  /** KV tokens allocated or reserved per worker. */
  readonly kvUsedTokens: Float64Array;
  /** KV capacity in tokens per worker. */
  readonly kvCapacityTokens: Float64Array;
  /** Smoothed time to first token observed per prefill worker, ms (0 = no data). */
  readonly ttftMs: Float64Array;
  /** Smoothed time per output token observed per decode worker, ms (0 = no data). */
  readonly tpotMs: Float64Array;
  /** Prefix/KV-block locality. */
  readonly prefix: PrefixIndexView;
  /** Load index over prefill-capable workers (key: queued prefill tokens). */
  readonly prefillLoad: LoadIndexView;
  /** Load index over decode-capable workers (key: committed KV fraction). */
  readonly decodeLoad: LoadIndexView;
}

/**
 * A stream of requests in arrival order, read in batches so that traces can be
 * streamed from disk and memory stays O(requests in flight).
 */
export interface RequestSource {
  /** Display name (workload name or trace file). */
  readonly name: string;
  /** Tokens per KV block of the requests' `blocks`. */
  readonly blockTokens: number;
  /**
   * The next requests, in non-decreasing `arrivalMs`. An empty array means the end.
   * The returned array may be reused by the source after the next call.
   */
  next(): readonly InferenceRequest[] | Promise<readonly InferenceRequest[]>;
}
