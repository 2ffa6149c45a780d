/**
 * The simulator's event queue: a binary min-heap keyed by (time, sequence number),
 * so that events at equal times pop in the order they were pushed. Payloads are three
 * integers; storage is typed arrays (no per-event objects).
 *
 * | operation | cost |
 * | --- | --- |
 * | `push` | O(log n) |
 * | `pop` | O(log n) |
 * | `peekTime` | O(1) |
 *
 * @module
 */

/**
 * Min-heap of events ordered by (time, push order).
 *
 * @example
 * ```ts
 * import { EventQueue } from "./event_queue.ts";
 * const q = new EventQueue();
 * q.push(5, 1, 0, 0);
 * q.push(2, 2, 0, 0);
 * q.push(2, 3, 0, 0);
 * q.pop();
 * if (q.kind !== 2 || q.time !== 2) throw new Error("wrong order");
 * ```
 */
export class EventQueue {
  #time = new Float64Array(64);
  #seq = new Float64Array(64);
  #kind = new Int32Array(64);
  #a = new Int32Array(64);
  #b = new Int32Array(64);
  #heap = new Int32Array(64); // heap of slots
  #free = new Int32Array(64); // stack of free slots
  #freeTop = 0;
  #size = 0;
  #nextSeq = 0;
  #capacity = 64;

  /** Time of the last popped event. */
  time = 0;
  /** Kind of the last popped event. */
  kind = 0;
  /** First payload of the last popped event. */
  a = 0;
  /** Second payload of the last popped event. */
  b = 0;

  constructor() {
    for (let i = 0; i < 64; i++) this.#free[this.#freeTop++] = 63 - i;
  }

  /** Number of queued events. */
  get size(): number {
    return this.#size;
  }

  /** Time of the earliest event, or `Infinity` when empty. */
  peekTime(): number {
    return this.#size === 0 ? Infinity : this.#time[this.#heap[0]];
  }

  /** Queues an event. */
  push(time: number, kind: number, a: number, b: number): void {
    if (this.#freeTop === 0) this.#grow();
    const slot = this.#free[--this.#freeTop];
    this.#time[slot] = time;
    this.#seq[slot] = this.#nextSeq++;
    this.#kind[slot] = kind;
    this.#a[slot] = a;
    this.#b[slot] = b;
    const heap = this.#heap;
    let i = this.#size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(slot, heap[p])) break;
      heap[i] = heap[p];
      i = p;
    }
    heap[i] = slot;
  }

  /**
   * Removes the earliest event and exposes it in `time`, `kind`, `a`, `b`.
   * Returns false when the queue is empty.
   */
  pop(): boolean {
    if (this.#size === 0) return false;
    const heap = this.#heap;
    const top = heap[0];
    this.time = this.#time[top];
    this.kind = this.#kind[top];
    this.a = this.#a[top];
    this.b = this.#b[top];
    this.#free[this.#freeTop++] = top;
    const size = --this.#size;
    if (size > 0) {
      const last = heap[size];
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= size) break;
        if (c + 1 < size && this.#less(heap[c + 1], heap[c])) c++;
        if (!this.#less(heap[c], last)) break;
        heap[i] = heap[c];
        i = c;
      }
      heap[i] = last;
    }
    return true;
  }

  #less(x: number, y: number): boolean {
    const tx = this.#time[x], ty = this.#time[y];
    return tx < ty || (tx === ty && this.#seq[x] < this.#seq[y]);
  }

  #grow(): void {
    const old = this.#capacity;
    const cap = old * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.#time = f64(this.#time);
    this.#seq = f64(this.#seq);
    this.#kind = i32(this.#kind);
    this.#a = i32(this.#a);
    this.#b = i32(this.#b);
    this.#heap = i32(this.#heap);
    this.#free = new Int32Array(cap);
    this.#freeTop = 0;
    for (let i = cap - 1; i >= old; i--) this.#free[this.#freeTop++] = i;
    this.#capacity = cap;
  }
}
