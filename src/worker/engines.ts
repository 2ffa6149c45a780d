/**
 * Per-worker engine state for the simulator: the in-flight request record, the
 * prefill engine (chunked prefill, FCFS) and the decode engine (continuous batching
 * whose steps are computed in closed form between changes, plus mixed prefill steps
 * when a decode worker prefills locally).
 *
 * Internal to the simulator; the event loop in `simulator.ts` drives these.
 *
 * @module
 */

import type { InferenceRequest } from "../core/types.ts";

/** Where a request is in its life. */
export const Phase = {
  Free: 0,
  PrefillQueued: 1,
  Prefilling: 2,
  DecodeAdmit: 3,
  Transfer: 4,
  Join: 5,
  Decoding: 6,
  Done: 7,
} as const;

/** One request in flight. Pooled and reused by slot. */
export class Flight {
  /** The request (set on allocation). */
  req!: InferenceRequest;
  /** Slot in the flight table. */
  slot = 0;
  /** Current {@linkcode Phase}. */
  phase: number = Phase.Free;
  /** Prefill worker (the decode worker itself for local prefill). */
  prefillWorker = -1;
  /** Decode worker (changes on migration). */
  decodeWorker = -1;
  /** Uncached tokens estimated at dispatch (for queued-prefill bookkeeping). */
  estUncached = 0;
  /** Prompt tokens served from the prefill worker's cache. */
  cachedTokens = 0;
  /** Prefill tokens still to compute. */
  remaining = 0;
  /** KV tokens held on the prefill worker. */
  prefillKv = 0;
  /** KV tokens reserved on the decode worker (or migration target). */
  decodeKv = 0;
  /** When the first output token reached the client. */
  firstTokenMs = NaN;
  /** Output tokens produced before the current decode residency. */
  generated = 0;
  /** Global step index of the first step of the current residency. */
  joinStep = 0;
  /** Global step index that emits the last token. */
  lastStep = 0;
  /** Context tokens at `joinStep`. */
  ctxBase = 0;
  /** Position in the decode engine's heap (`-1` when absent). */
  heapPos = -1;
  /** Migrations done. */
  migrations = 0;
  /** Migration target while a move is pending, else `-1`. */
  migrateTo = -1;
  /** Simulated time at which the pending move was decided. */
  migrateDecidedMs = 0;
  /** Whether the current transfer is a migration (else a P/D hand-off). */
  migratingTransfer = false;
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

/** Prefill-only worker: FCFS admission by KV, chunked prefill by token budget. */
export class PrefillEngine {
  /** Dispatched, not yet admitted. */
  readonly waiting: FlightQueue = new FlightQueue();
  /** Admitted and prefilling, FCFS. */
  running: Flight[] = [];
  /** Flights in the step under way. */
  readonly batch: Flight[] = [];
  /** Their chunk sizes. */
  readonly chunks: number[] = [];
  /** Whether a step is under way. */
  busy = false;
}

/**
 * Decode worker. Between changes the batch is constant, so step `j` of a segment
 * lasts `base + kc·(S0 + B·j)` (every running sequence reads its KV once and adds one
 * token) and the end of step `n` is `T(n) = t0 + extra0 + n·base + kc·(n·S0 + B·n(n−1)/2)`.
 * Events happen only where the batch changes: a completion, a join, a mixed
 * prefill step, a migration.
 */
export class DecodeEngine {
  /** Waiting for admission (KV and seat). */
  readonly waiting: FlightQueue = new FlightQueue();
  /** Transfer done, joining at the next step boundary. */
  readonly pendingJoin: Flight[] = [];
  /** Admitted local prefill jobs, FCFS. */
  localQueue: Flight[] = [];
  /** Local prefill flights in the step under way, and their chunks. */
  readonly stepFlights: Flight[] = [];
  /** Chunk sizes of `stepFlights`. */
  readonly stepChunks: number[] = [];
  /** Running sequences: a min-heap on `lastStep` (then request id). */
  readonly heap: Flight[] = [];
  /** Flights with a pending migration away from this worker. */
  readonly outgoing: Flight[] = [];
  /** Seats taken (running + joining + inbound transfers + local jobs). */
  seats = 0;
  /** Running sequences in the current segment. */
  batchSize = 0;
  /** Σ context tokens read by the segment's first step. */
  s0 = 0;
  /** Global index of the segment's first step. */
  stepIdx0 = 0;
  /** Segment start time, ms. */
  t0 = 0;
  /** Extra time of the segment's first step (mixed prefill chunk), ms. */
  extra0 = 0;
  /** Fixed part of one decode step for this batch size, ms. */
  base = 0;
  /** Whether the boundary handler is running for this engine. */
  inBoundary = false;
  /** Whether a segment is under way (something to step). */
  active = false;
  /** Step index whose end the scheduled event marks. */
  eventStep = -1;
  /** Generation of the scheduled event (stale events are skipped). */
  gen = 0;

  /** End time of the segment's `n`-th step (`n ≥ 0`). */
  endOfStep(n: number, kc: number): number {
    if (n <= 0) return this.t0;
    return this.t0 + this.extra0 + n * this.base +
      kc * (n * this.s0 + this.batchSize * n * (n - 1) / 2);
  }

  /** Smallest `m ≥ 1` whose step end is at or after `nowMs`. */
  firstBoundaryAtOrAfter(nowMs: number, kc: number): number {
    const a = kc * this.batchSize / 2;
    const b = this.base + kc * this.s0 - a;
    const c = this.t0 + this.extra0 - nowMs;
    let m: number;
    if (a > 0) m = Math.ceil((-b + Math.sqrt(Math.max(0, b * b - 4 * a * c))) / (2 * a));
    else if (b > 0) m = Math.ceil(-c / b);
    else m = 1;
    if (!(m >= 1)) m = 1;
    while (m > 1 && this.endOfStep(m - 1, kc) >= nowMs) m--;
    while (this.endOfStep(m, kc) < nowMs) m++;
    return m;
  }

  /** Adds `f` to the running heap. */
  heapPush(f: Flight): void {
    const h = this.heap;
    h.push(f);
    this.#up(h.length - 1, f);
  }

  /** Removes `f` from the running heap. */
  heapRemove(f: Flight): void {
    const h = this.heap;
    const i = f.heapPos;
    const last = h.pop()!;
    f.heapPos = -1;
    if (i === h.length) return;
    h[i] = last;
    last.heapPos = i;
    this.#down(i, last);
    this.#up(last.heapPos, last);
  }

  #less(a: Flight, b: Flight): boolean {
    return a.lastStep < b.lastStep || (a.lastStep === b.lastStep && a.req.id < b.req.id);
  }

  #up(i: number, f: Flight): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(f, h[p])) break;
      h[i] = h[p];
      h[i].heapPos = i;
      i = p;
    }
    h[i] = f;
    f.heapPos = i;
  }

  #down(i: number, f: Flight): void {
    const h = this.heap;
    const n = h.length;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.#less(h[c + 1], h[c])) c++;
      if (!this.#less(h[c], f)) break;
      h[i] = h[c];
      h[i].heapPos = i;
      i = c;
    }
    h[i] = f;
    f.heapPos = i;
  }
}
