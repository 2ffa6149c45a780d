/**
 * An index over one pool's load keys: a tournament (segment) tree of argmin and
 * argmax over a fixed set of worker slots. Routing asks it for the least-loaded
 * few workers instead of scanning the fleet.
 *
 * | operation | cost |
 * | --- | --- |
 * | `set(w, key)` | O(log n) |
 * | `min()`, `max()` | O(1) |
 * | `smallestInto(ids)` | O(k log n), no allocation |
 *
 * Ties break toward the lower worker id, so results are deterministic.
 *
 * @module
 */

import type { LoadIndexView, WorkerId } from "../core/types.ts";

/**
 * Min/max load index over worker slots `0..n-1`. A key of `Infinity` takes a worker
 * out of the pool (not a member, or unhealthy).
 *
 * @example
 * ```ts
 * import { LoadIndex } from "./load_index.ts";
 * const index = new LoadIndex(4);
 * index.set(0, 5); index.set(1, 2); index.set(3, 9);
 * const ids = new Int32Array(2);
 * index.smallestInto(ids); // ids = [1, 0]
 * if (index.min() !== 1 || index.max() !== 3 || ids[1] !== 0) throw new Error("wrong order");
 * ```
 */
export class LoadIndex implements LoadIndexView {
  #n: number;
  #leaves: number;
  #keys: Float64Array;
  #minTree: Int32Array;
  #maxTree: Int32Array;
  #heap: Int32Array;
  #size = 0;
  #sum = 0;
  #sumSquares = 0;

  /**
   * Creates an index with every worker out of the pool.
   *
   * @param n Number of worker slots; all start out of the pool (key `Infinity`).
   * @throws {RangeError} When `n` is not a positive integer.
   */
  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`Cannot create LoadIndex: 'n' must be a positive integer, got ${n}`);
    }
    this.#n = n;
    let leaves = 1;
    while (leaves < n) leaves *= 2;
    this.#leaves = leaves;
    this.#keys = new Float64Array(n).fill(Infinity);
    this.#minTree = new Int32Array(2 * leaves).fill(-1);
    this.#maxTree = new Int32Array(2 * leaves).fill(-1);
    this.#heap = new Int32Array(2 * leaves + 2);
    for (let w = 0; w < n; w++) {
      this.#minTree[leaves + w] = w;
      this.#maxTree[leaves + w] = w;
    }
    for (let i = leaves - 1; i >= 1; i--) this.#pull(i);
  }

  /** Number of workers with a finite key. */
  get size(): number {
    return this.#size;
  }

  /** Sum of finite keys. */
  get sum(): number {
    return this.#sum;
  }

  /** Sum of squares of finite keys. */
  get sumSquares(): number {
    return this.#sumSquares;
  }

  /** The key of `worker`. */
  key(worker: WorkerId): number {
    return this.#keys[worker];
  }

  /** Sets the key of `worker` (`Infinity` removes it from the pool). */
  set(worker: WorkerId, key: number): void {
    const old = this.#keys[worker];
    if (old === key) return;
    if (old !== Infinity) {
      this.#size--;
      this.#sum -= old;
      this.#sumSquares -= old * old;
    }
    if (key !== Infinity) {
      this.#size++;
      this.#sum += key;
      this.#sumSquares += key * key;
    }
    if (this.#size === 0) this.#sum = this.#sumSquares = 0; // shed float drift
    this.#keys[worker] = key;
    for (let i = (this.#leaves + worker) >> 1; i >= 1; i >>= 1) this.#pull(i);
  }

  /** Worker with the smallest key, or `-1` when no worker has a finite key. */
  min(): WorkerId {
    const w = this.#minTree[1];
    return w >= 0 && this.#keys[w] !== Infinity ? w : -1;
  }

  /** Worker with the largest finite key, or `-1`. */
  max(): WorkerId {
    const w = this.#maxTree[1];
    return w >= 0 && this.#keys[w] !== Infinity ? w : -1;
  }

  /** Writes up to `ids.length` workers with the smallest finite keys, ascending. */
  smallestInto(ids: Int32Array): number {
    const k = ids.length;
    if (k === 0 || this.min() < 0) return 0;
    const keys = this.#keys, tree = this.#minTree, leaves = this.#leaves;
    this.#heapSize = 0;
    this.#push(1);
    let written = 0;
    while (this.#heapSize > 0 && written < k) {
      const node = this.#pop();
      const w = tree[node];
      if (w < 0 || keys[w] === Infinity) break;
      if (node >= leaves) {
        ids[written++] = w;
      } else {
        this.#push(2 * node);
        this.#push(2 * node + 1);
      }
    }
    return written;
  }

  // Best-first search frontier: a binary heap of tree nodes ordered by their argmin.
  #heapSize = 0;

  #less(a: number, b: number): boolean {
    const wa = this.#minTree[a], wb = this.#minTree[b];
    if (wb < 0) return wa >= 0;
    if (wa < 0) return false;
    const ka = this.#keys[wa], kb = this.#keys[wb];
    return ka < kb || (ka === kb && wa < wb);
  }

  #push(node: number): void {
    const heap = this.#heap;
    let i = this.#heapSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(node, heap[p])) break;
      heap[i] = heap[p];
      i = p;
    }
    heap[i] = node;
  }

  #pop(): number {
    const heap = this.#heap;
    const top = heap[0];
    const size = --this.#heapSize;
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
    return top;
  }

  #pull(i: number): void {
    const keys = this.#keys;
    const l = 2 * i, r = l + 1;
    const al = this.#minTree[l], ar = this.#minTree[r];
    this.#minTree[i] = al < 0 ? ar : ar < 0 ? al : keys[ar] < keys[al] ? ar : al;
    const bl = this.#maxTree[l], br = this.#maxTree[r];
    const kl = bl < 0 || keys[bl] === Infinity ? -Infinity : keys[bl];
    const kr = br < 0 || keys[br] === Infinity ? -Infinity : keys[br];
    this.#maxTree[i] = bl < 0 ? br : br < 0 ? bl : kr > kl ? br : bl;
  }
}
