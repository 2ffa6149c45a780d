/**
 * The owner side of a {@linkcode FleetSnapshot}: typed arrays of per-worker signals
 * plus the prefix and load indexes, kept consistent by {@linkcode FleetState.refresh} (now)
 * or {@linkcode FleetState.touch} and {@linkcode FleetState.flush} (batched).
 * The simulator and the proxy each keep one and hand it to policies as read-only.
 *
 * @module
 */

import { Role } from "../core/types.ts";
import type { FleetSnapshot, WorkerId } from "../core/types.ts";
import { LoadIndex } from "../index/load_index.ts";
import { PrefixIndex } from "../index/prefix_index.ts";

/**
 * Mutable fleet state that is also a {@linkcode FleetSnapshot}.
 *
 * Load keys: the prefill index holds `queuedPrefillTokens`; the decode index holds the
 * committed KV fraction `(kvUsedTokens + kvWaitingTokens) / kvCapacityTokens`.
 * Unhealthy workers and workers outside a pool carry `Infinity`.
 *
 * @example
 * ```ts
 * import { FleetState } from "./fleet_state.ts";
 * import { Role } from "../core/types.ts";
 * const fleet = new FleetState([Role.Prefill, Role.Prefill, Role.Decode], 1000, 16);
 * fleet.queuedPrefillTokens[0] = 500;
 * fleet.refresh(0);
 * if (fleet.prefillLoad.min() !== 1) throw new Error("worker 1 is idle");
 * ```
 */
export class FleetState implements FleetSnapshot {
  /** Time of the snapshot in milliseconds. */
  nowMs = 0;
  /** Number of workers. */
  readonly n: number;
  /** Tokens per KV block. */
  readonly blockTokens: number;
  /** Role flags per worker. */
  readonly role: Uint8Array;
  /** 1 if healthy. */
  readonly healthy: Uint8Array;
  /** Waiting requests per worker. */
  readonly queued: Uint32Array;
  /** Running requests per worker. */
  readonly running: Uint32Array;
  /** Requests routed to the worker and not yet done there (router's in-flight count). */
  readonly inflight: Uint32Array;
  /** Uncached prompt tokens still to compute per worker. */
  readonly queuedPrefillTokens: Float64Array;
  /** KV tokens allocated or reserved per worker. */
  readonly kvUsedTokens: Float64Array;
  /** KV tokens wanted by requests waiting for admission per worker. */
  readonly kvWaitingTokens: Float64Array;
  /** KV capacity in tokens per worker. */
  readonly kvCapacityTokens: Float64Array;
  /** Smoothed TTFT per prefill worker, ms. */
  readonly ttftMs: Float64Array;
  /** Smoothed TPOT per decode worker, ms. */
  readonly tpotMs: Float64Array;
  /** Prefix index (write side included). */
  readonly prefix: PrefixIndex;
  /** Load index over prefill-capable workers. */
  readonly prefillLoad: LoadIndex;
  /** Load index over decode-capable workers. */
  readonly decodeLoad: LoadIndex;
  readonly #dirty: Int32Array;
  readonly #dirtyMark: Uint8Array;
  #dirtyCount = 0;

  /**
   * Creates an idle fleet.
   *
   * @param roles {@linkcode Role} flags, one per worker.
   * @param kvCapacityTokens KV capacity of every worker, or one per worker.
   * @param blockTokens Tokens per KV block.
   * @throws {RangeError} On an empty fleet, an unknown role or a non-positive capacity.
   */
  constructor(
    roles: ArrayLike<number>,
    kvCapacityTokens: number | ArrayLike<number>,
    blockTokens: number,
  ) {
    const n = roles.length;
    if (n < 1) throw new RangeError("Cannot create FleetState: 'roles' must not be empty");
    if (!Number.isInteger(blockTokens) || blockTokens < 1) {
      throw new RangeError(
        `Cannot create FleetState: 'blockTokens' must be a positive integer, got ${blockTokens}`,
      );
    }
    this.n = n;
    this.blockTokens = blockTokens;
    this.role = new Uint8Array(n);
    this.healthy = new Uint8Array(n).fill(1);
    this.queued = new Uint32Array(n);
    this.running = new Uint32Array(n);
    this.inflight = new Uint32Array(n);
    this.queuedPrefillTokens = new Float64Array(n);
    this.kvUsedTokens = new Float64Array(n);
    this.kvWaitingTokens = new Float64Array(n);
    this.kvCapacityTokens = new Float64Array(n);
    this.ttftMs = new Float64Array(n);
    this.tpotMs = new Float64Array(n);
    this.prefix = new PrefixIndex(n);
    this.prefillLoad = new LoadIndex(n);
    this.decodeLoad = new LoadIndex(n);
    this.#dirty = new Int32Array(n);
    this.#dirtyMark = new Uint8Array(n);
    for (let w = 0; w < n; w++) {
      const r = roles[w];
      if (r !== Role.Prefill && r !== Role.Decode && r !== Role.Both) {
        throw new RangeError(`Cannot create FleetState: 'roles[${w}]' must be 1, 2 or 3, got ${r}`);
      }
      this.role[w] = r;
      const cap = typeof kvCapacityTokens === "number" ? kvCapacityTokens : kvCapacityTokens[w];
      if (!(cap > 0)) {
        throw new RangeError(
          `Cannot create FleetState: KV capacity of worker ${w} must be positive, got ${cap}`,
        );
      }
      this.kvCapacityTokens[w] = cap;
      this.refresh(w);
    }
  }

  /**
   * Notes that `worker`'s signals changed, deferring the load-index update to the next
   * {@linkcode FleetState.flush}: writers that change a worker many times between two
   * decisions pay for one update. O(1).
   */
  touch(worker: WorkerId): void {
    if (this.#dirtyMark[worker] === 1) return;
    this.#dirtyMark[worker] = 1;
    this.#dirty[this.#dirtyCount++] = worker;
  }

  /** Applies every pending {@linkcode FleetState.touch}. Call before a policy reads the fleet. */
  flush(): void {
    const dirty = this.#dirty;
    for (let i = 0; i < this.#dirtyCount; i++) {
      const w = dirty[i];
      this.#dirtyMark[w] = 0;
      this.refresh(w);
    }
    this.#dirtyCount = 0;
  }

  /** Recomputes `worker`'s load-index keys after its signals changed, now. O(log n). */
  refresh(worker: WorkerId): void {
    const up = this.healthy[worker] === 1;
    const r = this.role[worker];
    this.prefillLoad.set(
      worker,
      up && (r & Role.Prefill) !== 0 ? this.queuedPrefillTokens[worker] : Infinity,
    );
    this.decodeLoad.set(
      worker,
      up && (r & Role.Decode) !== 0
        ? (this.kvUsedTokens[worker] + this.kvWaitingTokens[worker]) /
          this.kvCapacityTokens[worker]
        : Infinity,
    );
  }

  /** Marks `worker` healthy or not and refreshes its keys. */
  setHealthy(worker: WorkerId, healthy: boolean): void {
    this.healthy[worker] = healthy ? 1 : 0;
    this.refresh(worker);
  }
}
