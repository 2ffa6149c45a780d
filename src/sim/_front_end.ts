/**
 * The engines' front ends in the simulator: each worker's API server tokenises one
 * request at a time (vLLM's serving layer runs tokenisation on a single-thread executor)
 * before its engine acts on the request.
 *
 * - The prefill hop: the engine sees the request when its tokeniser is done with it
 *   (`submit`, an event).
 * - The decode hop: the decode engine admits the request as soon as the prefill is done,
 *   and its KV pull starts once the decode engine's tokeniser is through (`hold`, then
 *   `readyAtMs` when the transfer starts), which saves an event per request.
 *
 * @module
 */

import type { EventQueue } from "./event_queue.ts";

/** One FIFO tokeniser per worker. */
export class FrontEnds {
  readonly #freeAtMs: Float64Array;
  readonly #queue: EventQueue;
  readonly #kind: number;
  #readyAtMs = new Float64Array(64);

  /** `n` workers; prefill-hop hand-offs become `kind` events (payload: the flight's slot). */
  constructor(n: number, queue: EventQueue, kind: number) {
    this.#freeAtMs = new Float64Array(n);
    this.#queue = queue;
    this.#kind = kind;
  }

  /** Flight `slot` reaches worker `w`'s front end at `nowMs` and needs `ms` there. */
  submit(w: number, nowMs: number, ms: number, slot: number): void {
    this.#queue.push(this.#through(w, nowMs, ms), this.#kind, slot, 0);
  }

  /** As `submit`, but only records when flight `slot` is through (see `readyAtMs`). */
  hold(w: number, nowMs: number, ms: number, slot: number): void {
    while (slot >= this.#readyAtMs.length) {
      const grown = new Float64Array(this.#readyAtMs.length * 2);
      grown.set(this.#readyAtMs);
      this.#readyAtMs = grown;
    }
    this.#readyAtMs[slot] = this.#through(w, nowMs, ms);
  }

  /**
   * When flight `slot`'s last `hold` is through, ms (0 if never held; a value left by
   * an earlier flight in the same slot is in the past).
   */
  readyAtMs(slot: number): number {
    return slot < this.#readyAtMs.length ? this.#readyAtMs[slot] : 0;
  }

  #through(w: number, nowMs: number, ms: number): number {
    const start = nowMs > this.#freeAtMs[w] ? nowMs : this.#freeAtMs[w];
    return this.#freeAtMs[w] = start + ms;
  }
}
