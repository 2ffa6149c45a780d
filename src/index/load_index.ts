/**
 * An index over one pool's load keys: a tournament (segment) tree of argmin and
 * argmax over a fixed set of worker slots. Routing asks it for the least-loaded
 * few workers instead of scanning the fleet.
 *
 * | operation | cost |
 * | --- | --- |
 * | `set(w, key)` | O(log n), stops early where the subtree's min and max stay put |
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
  #fNode: Int32Array;
  #fKey: Float64Array;
  #fW: Int32Array;
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
    this.#fNode = new Int32Array(n);
    this.#fKey = new Float64Array(n);
    this.#fW = new Int32Array(n);
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
    const minTree = this.#minTree, maxTree = this.#maxTree;
    for (let i = (this.#leaves + worker) >> 1; i >= 1; i >>= 1) {
      const oldMin = minTree[i], oldMax = maxTree[i];
      this.#pull(i);
      // Ancestors see this subtree only through its argmin and argmax and their keys:
      // when neither changed and neither is `worker`, nothing above can change.
      if (
        minTree[i] === oldMin && maxTree[i] === oldMax && oldMin !== worker && oldMax !== worker
      ) break;
    }
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

  /**
   * Writes up to `ids.length` workers with the smallest finite keys, ascending (lowest
   * id first on ties). Descends from the root to the minimum, keeping the sibling
   * subtrees passed on the way as candidates; only the best `k − written − 1` of them
   * can still hold an answer, so the rest are dropped on sight. O(k log n), no
   * allocation.
   */
  smallestInto(ids: Int32Array): number {
    const k = ids.length;
    if (k === 0 || this.min() < 0) return 0;
    const keys = this.#keys, tree = this.#minTree, leaves = this.#leaves;
    const fNode = this.#fNode, fKey = this.#fKey, fW = this.#fW;
    // Frontier: candidate subtrees in [head, end), sorted by (argmin key, argmin id).
    // Each holds an unreported worker, so head + size ≤ written + size ≤ n: no overflow.
    let head = 0, end = 0;
    let node = 1;
    let written = 0;
    for (;;) {
      const w = tree[node];
      const limit = head + (k - written - 1); // end may not pass this
      if (end > limit) end = limit;
      while (node < leaves) {
        const l = node << 1;
        let sib: number;
        if (tree[l] === w) {
          sib = l + 1;
          node = l;
        } else {
          sib = l;
          node = l + 1;
        }
        const sw = tree[sib];
        if (sw < 0 || head === limit) continue;
        const sk = keys[sw];
        if (sk === Infinity) continue;
        let i = end;
        if (i === limit) {
          const lk = fKey[i - 1];
          if (sk > lk || (sk === lk && sw > fW[i - 1])) continue;
          i--; // replaces the worst
        } else {
          end++;
        }
        while (i > head) {
          const pk = fKey[i - 1];
          if (pk < sk || (pk === sk && fW[i - 1] < sw)) break;
          fNode[i] = fNode[i - 1];
          fKey[i] = pk;
          fW[i] = fW[i - 1];
          i--;
        }
        fNode[i] = sib;
        fKey[i] = sk;
        fW[i] = sw;
      }
      ids[written++] = w;
      if (written === k || head === end) return written;
      node = fNode[head++];
    }
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
