/**
 * A policy-side ledger of work routed to workers that their telemetry does not show
 * yet: each entry adds `amount` to a worker until its expiry time, when the worker's
 * own signals are expected to include it. A binary min-heap on expiry over typed
 * arrays: `add` and expiry are O(log m), nothing is allocated after construction.
 * When full, the entry due first is applied early.
 *
 * @module
 */

/**
 * Pending amounts per worker with expiry times.
 *
 * @example
 * ```ts
 * import { PendingLedger } from "./_pending_ledger.ts";
 * const ledger = new PendingLedger(4, 16);
 * ledger.add(2, 100, 50);
 * ledger.expire(10);
 * if (ledger.pending(2) !== 100) throw new Error("not pending");
 * ledger.expire(50);
 * if (ledger.pending(2) !== 0) throw new Error("not expired");
 * ```
 */
export class PendingLedger {
  #pending: Float64Array;
  #at: Float64Array;
  #worker: Int32Array;
  #amount: Float64Array;
  #size = 0;

  /**
   * Creates an empty ledger.
   *
   * @param workers Number of worker slots.
   * @param capacity Most entries held at once.
   * @throws {RangeError} When either is not a positive integer.
   */
  constructor(workers: number, capacity: number) {
    for (const [name, v] of [["workers", workers], ["capacity", capacity]] as const) {
      if (!Number.isInteger(v) || v < 1) {
        throw new RangeError(
          `Cannot create PendingLedger: '${name}' must be a positive integer, got ${v}`,
        );
      }
    }
    this.#pending = new Float64Array(workers);
    this.#at = new Float64Array(capacity);
    this.#worker = new Int32Array(capacity);
    this.#amount = new Float64Array(capacity);
  }

  /** Number of worker slots. */
  get workers(): number {
    return this.#pending.length;
  }

  /** Entries held. */
  get size(): number {
    return this.#size;
  }

  /** Drops every entry. */
  clear(): void {
    this.#pending.fill(0);
    this.#size = 0;
  }

  /** The pending amount of `worker`. */
  pending(worker: number): number {
    return this.#pending[worker];
  }

  /** Adds `amount` to `worker` until `expiresAtMs`. */
  add(worker: number, amount: number, expiresAtMs: number): void {
    if (this.#size === this.#at.length) this.#pop();
    this.#pending[worker] += amount;
    const at = this.#at, ws = this.#worker, am = this.#amount;
    let i = this.#size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (at[p] <= expiresAtMs) break;
      at[i] = at[p];
      ws[i] = ws[p];
      am[i] = am[p];
      i = p;
    }
    at[i] = expiresAtMs;
    ws[i] = worker;
    am[i] = amount;
  }

  /** Removes every entry due at or before `nowMs`. */
  expire(nowMs: number): void {
    while (this.#size > 0 && this.#at[0] <= nowMs) this.#pop();
  }

  #pop(): void {
    const at = this.#at, ws = this.#worker, am = this.#amount;
    const w0 = ws[0];
    const left = this.#pending[w0] - am[0];
    this.#pending[w0] = left > 1e-9 ? left : 0;
    const size = --this.#size;
    const t = at[size], w = ws[size], a = am[size];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && at[c + 1] < at[c]) c++;
      if (at[c] >= t) break;
      at[i] = at[c];
      ws[i] = ws[c];
      am[i] = am[c];
      i = c;
    }
    at[i] = t;
    ws[i] = w;
    am[i] = a;
  }
}
