/**
 * One request in flight through the engine schedulers, its phases, and the FIFO the
 * schedulers queue flights in. Pooled: a driver reuses `Flight` objects by slot.
 *
 * @module
 */

import type { InferenceRequest } from "../core/types.ts";

/** Where a request is in its life. */
export const Phase = {
  /** Not in use. */
  Free: 0,
  /** Routed, waiting for its prefill to be admitted. */
  PrefillQueued: 1,
  /** Admitted; its prompt is being computed. */
  Prefilling: 2,
  /** Prefilled; waiting for admission on its decode engine. */
  DecodeAdmit: 3,
  /** Its KV is moving to the decode engine. */
  Transfer: 4,
  /** Its KV arrived; it joins the batch at the next step boundary. */
  Join: 5,
  /** In the decode batch. */
  Decoding: 6,
  /** Finished. */
  Done: 7,
} as const;

/** One request in flight. Pooled and reused by slot. */
export class Flight {
  /** The request (set on allocation). */
  req!: InferenceRequest;
  /** Slot in the driver's flight table. */
  slot = 0;
  /** The router ledger's entry for this request (`-1` when none). */
  ledgerId: number = -1;
  /** Current {@linkcode Phase}. */
  phase: number = Phase.Free;
  /** Prefill worker (the decode worker itself for local prefill). */
  prefillWorker: number = -1;
  /** Decode worker (changes on migration). */
  decodeWorker: number = -1;
  /** Prompt tokens served from the prefill worker's cache. */
  cachedTokens = 0;
  /** Prefill tokens still to compute. */
  remaining = 0;
  /** KV tokens held on the prefill worker. */
  prefillKv = 0;
  /** KV tokens reserved on the decode worker (or migration target). */
  decodeKv = 0;
  /** When the first output token reached the client. */
  firstTokenMs: number = NaN;
  /** Output tokens produced before the current decode residency. */
  generated = 0;
  /** Global step index of the first step of the current residency. */
  joinStep = 0;
  /** Global step index that emits the last token. */
  lastStep = 0;
  /** Context tokens at `joinStep`. */
  ctxBase = 0;
  /** Position in the decode engine's heap (`-1` when absent). */
  heapPos: number = -1;
  /** Migrations done. */
  migrations = 0;
  /** Migration target while a move is pending, else `-1`. */
  migrateTo: number = -1;
  /** Time at which the pending move was decided, ms. */
  migrateDecidedMs = 0;
  /** Whether the current transfer is a migration (else a P/D hand-off). */
  migratingTransfer = false;

  /** Resets every field for a new request (keeps `slot`). */
  reset(req: InferenceRequest): void {
    this.req = req;
    this.ledgerId = -1;
    this.prefillWorker = this.decodeWorker = -1;
    this.cachedTokens =
      this.remaining =
      this.prefillKv =
      this.decodeKv =
        0;
    this.firstTokenMs = NaN;
    this.generated =
      this.joinStep =
      this.lastStep =
      this.ctxBase =
        0;
    this.heapPos = -1;
    this.migrations = 0;
    this.migrateTo = -1;
    this.migratingTransfer = false;
  }
}

/** A FIFO of flights backed by an array with a moving head (amortised O(1)). */
export class FlightQueue {
  #items: Flight[] = [];
  #head = 0;

  /** Number of queued flights. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Appends `f`. */
  push(f: Flight): void {
    this.#items.push(f);
  }

  /** The oldest flight, or undefined. */
  peek(): Flight | undefined {
    return this.#head < this.#items.length ? this.#items[this.#head] : undefined;
  }

  /**
   * Removes `f` wherever it is in the queue (O(n)); whether it was there. For a driver
   * that withdraws a waiting request (a client that went away); the simulator never
   * calls it.
   */
  remove(f: Flight): boolean {
    const i = this.#items.indexOf(f, this.#head);
    if (i < 0) return false;
    this.#items.splice(i, 1);
    return true;
  }

  /** Removes and returns the oldest flight. */
  shift(): Flight | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const f = this.#items[this.#head++];
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return f;
  }
}
