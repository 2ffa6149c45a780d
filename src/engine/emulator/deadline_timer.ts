/**
 * One-shot deadline timers for the emulator's real-clock loop. The loop keeps one absolute
 * deadline (model time) and re-arms it after every wake-up; it catches up on whatever is
 * due when it runs, so a late wake-up costs lateness, never lost work.
 *
 * `setTimeout` in Deno wakes a millisecond or more late (its timers have millisecond
 * granularity), too coarse for token timing at `--time-scale 4`. The precise timer parks a
 * worker thread in `Atomics.wait` until shortly before the deadline (a futex wait with a
 * sub-millisecond timeout), lets it wake the main thread by `postMessage`, and the main
 * thread spins out the last fraction of a millisecond. The main thread never blocks on a
 * wait, so I/O goes on meanwhile; only that final spin costs CPU.
 *
 * @module
 */

import type { ScaledClock } from "../clock.ts";

/** A one-shot timer at an absolute model time; re-armed by its owner after each firing. */
export interface DeadlineTimer {
  /** Fire `onFire` once at model time `atMs` (replaces any earlier deadline). */
  arm(atMs: number): void;
  /** Cancels the deadline. */
  disarm(): void;
  /** Stops the timer for good (its thread, if any). */
  close(): void;
}

/** How early the worker wakes the main thread, which spins out the rest, wall ms. */
const EARLY_WALL_MS = 0.25;
/** The longest spin the main thread does to reach a deadline exactly, wall ms. */
const MAX_SPIN_WALL_MS = 0.6;

// The worker: wait on slot 0 (a sequence number bumped at every arm, disarm or close)
// until the deadline in the f64 slot (absolute epoch ms, 0 = none); post the sequence
// number when it is reached, then wait for the next arm.
const WORKER_SOURCE = `
let seqs, deadline;
const now = () => performance.timeOrigin + performance.now();
self.onmessage = (e) => {
  seqs = new Int32Array(e.data, 0, 2);
  deadline = new Float64Array(e.data, 8, 1);
  for (;;) {
    const seq = Atomics.load(seqs, 0);
    if (Atomics.load(seqs, 1) === 1) break;
    const d = deadline[0];
    if (!(d > 0)) { Atomics.wait(seqs, 0, seq); continue; }
    const w = d - now();
    if (w > 0 && Atomics.wait(seqs, 0, seq, w) !== "timed-out") continue;
    if (Atomics.load(seqs, 0) !== seq) continue;
    self.postMessage(seq);
    Atomics.wait(seqs, 0, seq);
  }
  self.close();
};`;

/**
 * A precise timer on a worker thread (see the module doc). Falls back to
 * {@linkcode TimeoutTimer} where workers or shared memory are unavailable.
 */
export class PreciseTimer implements DeadlineTimer {
  readonly #clock: ScaledClock;
  readonly #onFire: () => void;
  readonly #seqs: Int32Array;
  readonly #deadline: Float64Array;
  readonly #worker: Worker;
  readonly #url: string;
  #armedAtMs = NaN;
  #closed = false;

  /**
   * Creates the timer; `onFire` runs on the main thread at each deadline.
   *
   * @param clock The model clock the deadlines are given in.
   * @param onFire Called once per armed deadline, at or just after it.
   */
  constructor(clock: ScaledClock, onFire: () => void) {
    this.#clock = clock;
    this.#onFire = onFire;
    const sab = new SharedArrayBuffer(16);
    this.#seqs = new Int32Array(sab, 0, 2);
    this.#deadline = new Float64Array(sab, 8, 1);
    this.#url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
    this.#worker = new Worker(this.#url, { type: "module" });
    this.#worker.onmessage = () => this.#fired();
    this.#worker.postMessage(sab);
  }

  arm(atMs: number): void {
    if (this.#closed || atMs === this.#armedAtMs) return;
    this.#armedAtMs = atMs;
    const wall = this.#clock.wallMsAt(atMs);
    this.#deadline[0] = performance.timeOrigin + wall - EARLY_WALL_MS;
    Atomics.add(this.#seqs, 0, 1);
    Atomics.notify(this.#seqs, 0);
  }

  disarm(): void {
    if (this.#closed || Number.isNaN(this.#armedAtMs)) return;
    this.#armedAtMs = NaN;
    this.#deadline[0] = 0;
    Atomics.add(this.#seqs, 0, 1);
    Atomics.notify(this.#seqs, 0);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    Atomics.store(this.#seqs, 1, 1);
    Atomics.add(this.#seqs, 0, 1);
    Atomics.notify(this.#seqs, 0);
    this.#worker.terminate();
    URL.revokeObjectURL(this.#url);
  }

  #fired(): void {
    const at = this.#armedAtMs;
    if (this.#closed || Number.isNaN(at)) return;
    const wall = this.#clock.wallMsAt(at);
    const left = wall - performance.now();
    if (left > MAX_SPIN_WALL_MS) {
      // Woken well before the deadline (a re-arm raced the message): wait again.
      this.#armedAtMs = NaN;
      this.arm(at);
      return;
    }
    while (performance.now() < wall) { /* spin out the last fraction of a millisecond */ }
    this.#armedAtMs = NaN;
    this.#onFire();
  }
}

/** A deadline timer on `setTimeout` (millisecond granularity; for hosts without workers). */
export class TimeoutTimer implements DeadlineTimer {
  readonly #clock: ScaledClock;
  readonly #onFire: () => void;
  #handle: ReturnType<typeof setTimeout> | undefined;

  /** Creates the timer; `onFire` runs at each deadline. */
  constructor(clock: ScaledClock, onFire: () => void) {
    this.#clock = clock;
    this.#onFire = onFire;
  }

  arm(atMs: number): void {
    this.disarm();
    const delay = Math.max(0, this.#clock.wallMsAt(atMs) - performance.now());
    this.#handle = setTimeout(() => {
      this.#handle = undefined;
      this.#onFire();
    }, delay);
  }

  disarm(): void {
    if (this.#handle !== undefined) clearTimeout(this.#handle);
    this.#handle = undefined;
  }

  close(): void {
    this.disarm();
  }
}

/**
 * A precise timer where the platform allows, else a `setTimeout` one; `log` hears which
 * (and why not the precise one).
 */
export function createDeadlineTimer(
  clock: ScaledClock,
  onFire: () => void,
  log: (line: string) => void = () => {},
): DeadlineTimer {
  try {
    const t = new PreciseTimer(clock, onFire);
    log("INFO emulator: timer: a worker thread in Atomics.wait, spinning the last 0.25 ms");
    return t;
  } catch (e) {
    log(`WARNING emulator: timer: setTimeout (millisecond granularity): ${e}`);
    return new TimeoutTimer(clock, onFire);
  }
}
