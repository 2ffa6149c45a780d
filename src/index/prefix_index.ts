/**
 * Prefix (KV-block) index: which workers hold which KV blocks, with one LRU per
 * worker. The simulator uses it as the workers' prefix caches; a proxy uses it as
 * its estimate of what engines hold. Policies only read it through
 * {@linkcode PrefixIndexView}.
 *
 * Layout follows GIE's prefix indexer (block → holders, worker → LRU), with dense
 * worker ids and typed-array storage instead of maps of objects.
 *
 * | operation | cost |
 * | --- | --- |
 * | `insert(w, blocks)` | O(b) |
 * | `evictTo(w, max)` | O(evicted) |
 * | `matchLength(w, blocks)` | O(log b) |
 * | `matchInto(blocks, ids)` | O(log b + k·depth) worst case, typically O(log b + k) |
 *
 * **Prefix closure.** A worker that holds block `i` of a chain also holds blocks
 * `0..i-1`: `insert` touches blocks last-to-first, so a block's predecessors are
 * always at least as recent and LRU eviction trims chains from their tails (as
 * vLLM's free-block queue does). Block ids are assumed to be chain hashes (equal id
 * ⇒ equal prefix), as in Mooncake's `hash_ids`. Matching relies on this, which is
 * what makes it O(log b).
 *
 * @module
 */

import type { PrefixIndexView, WorkerId } from "../core/types.ts";
import { PairTable } from "./_pair_table.ts";

/**
 * Sparse block → workers index with a per-worker LRU.
 *
 * @example
 * ```ts
 * import { PrefixIndex } from "./prefix_index.ts";
 * const index = new PrefixIndex(4);
 * index.insert(2, new Uint32Array([7, 8, 9]));
 * const ids = new Int32Array(4), counts = new Uint16Array(4);
 * const k = index.matchInto(new Uint32Array([7, 8, 5]), ids, counts);
 * if (k !== 1 || ids[0] !== 2 || counts[0] !== 2) throw new Error("unexpected match");
 * ```
 */
export class PrefixIndex implements PrefixIndexView {
  /** Maximum number of workers (ids `0..maxWorkers-1`). */
  readonly maxWorkers: number;
  #byPair = new PairTable(1024); // (block, worker) → entry
  #holderHead = new PairTable(1024); // (block, 0) → first entry of the block's holder list
  #worker = new Int32Array(1024);
  #block = new Uint32Array(1024);
  #lruPrev = new Int32Array(1024);
  #lruNext = new Int32Array(1024);
  #hPrev = new Int32Array(1024);
  #hNext = new Int32Array(1024);
  #highWater = 0;
  #freeHead = -1;
  #mru: Int32Array;
  #lru: Int32Array;
  #count: Int32Array;
  #stamp: Uint32Array;
  #stampNow = 0;

  /**
   * Creates an empty index.
   *
   * @param maxWorkers Number of worker ids the index accepts.
   * @throws {RangeError} When `maxWorkers` is not an integer in `[1, 2^21]`.
   */
  constructor(maxWorkers: number) {
    if (!Number.isInteger(maxWorkers) || maxWorkers < 1 || maxWorkers > 1 << 21) {
      throw new RangeError(
        `Cannot create PrefixIndex: 'maxWorkers' must be an integer in [1, 2097152], got ${maxWorkers}`,
      );
    }
    this.maxWorkers = maxWorkers;
    this.#mru = new Int32Array(maxWorkers).fill(-1);
    this.#lru = new Int32Array(maxWorkers).fill(-1);
    this.#count = new Int32Array(maxWorkers);
    this.#stamp = new Uint32Array(maxWorkers);
  }

  /** Total (worker, block) entries held. */
  get size(): number {
    return this.#byPair.size;
  }

  /** Number of blocks `worker` holds. */
  blockCount(worker: WorkerId): number {
    return this.#count[worker];
  }

  /** Whether `worker` holds block `hash`. */
  has(worker: WorkerId, hash: number): boolean {
    return this.#byPair.get(hash, worker) >= 0;
  }

  /**
   * Records that `worker` holds the first `n` blocks of `blocks` and marks them most
   * recently used (last block first, so that the chain head is the most recent).
   */
  insert(worker: WorkerId, blocks: Uint32Array, n: number = blocks.length): void {
    for (let i = Math.min(n, blocks.length) - 1; i >= 0; i--) this.#touch(worker, blocks[i]);
  }

  /** Evicts least recently used blocks of `worker` until it holds at most `maxBlocks`. */
  evictTo(worker: WorkerId, maxBlocks: number): void {
    const limit = maxBlocks < 0 ? 0 : maxBlocks;
    while (this.#count[worker] > limit) this.#remove(this.#lru[worker]);
  }

  /** Drops everything `worker` holds. */
  clearWorker(worker: WorkerId): void {
    this.evictTo(worker, 0);
  }

  /** Number of leading blocks of `blocks` that `worker` holds. O(log b). */
  matchLength(worker: WorkerId, blocks: Uint32Array): number {
    const len = blocks.length;
    const table = this.#byPair;
    if (len === 0 || table.get(blocks[0], worker) < 0) return 0;
    let lo = 0, hi = len; // invariant: holds lo, not hi (hi = len is "past the end")
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (table.get(blocks[mid], worker) >= 0) lo = mid;
      else hi = mid;
    }
    return lo + 1;
  }

  /**
   * Writes the workers with the longest leading matches of `blocks` into `ids`
   * (at most `ids.length`), longest first, with matched block counts in `counts`.
   * Returns the number written.
   */
  matchInto(blocks: Uint32Array, ids: Int32Array, counts: Uint16Array): number {
    const len = blocks.length;
    const k = ids.length < counts.length ? ids.length : counts.length;
    const heads = this.#holderHead;
    if (len === 0 || k === 0 || heads.get(blocks[0], 0) < 0) return 0;
    let lo = 0, hi = len;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (heads.get(blocks[mid], 0) >= 0) lo = mid;
      else hi = mid;
    }
    const stamp = this.#stamp, worker = this.#worker, hNext = this.#hNext;
    const now = this.#nextStamp();
    let written = 0;
    for (let d = lo; d >= 0 && written < k; d--) {
      for (let e = heads.get(blocks[d], 0); e >= 0; e = hNext[e]) {
        const w = worker[e];
        if (stamp[w] === now) continue;
        stamp[w] = now;
        ids[written] = w;
        counts[written] = d + 1;
        if (++written === k) break;
      }
    }
    return written;
  }

  #nextStamp(): number {
    if (++this.#stampNow === 0xffffffff) {
      this.#stamp.fill(0);
      this.#stampNow = 1;
    }
    return this.#stampNow;
  }

  #touch(w: number, hash: number): void {
    let e = this.#byPair.get(hash, w);
    if (e >= 0) {
      if (this.#mru[w] === e) return;
      this.#unlinkLru(e);
      this.#linkMru(w, e);
      return;
    }
    e = this.#alloc();
    this.#worker[e] = w;
    this.#block[e] = hash;
    this.#linkMru(w, e);
    const head = this.#holderHead.get(hash, 0);
    this.#hPrev[e] = -1;
    this.#hNext[e] = head;
    if (head >= 0) this.#hPrev[head] = e;
    this.#holderHead.set(hash, 0, e);
    this.#byPair.set(hash, w, e);
    this.#count[w]++;
  }

  #remove(e: number): void {
    const w = this.#worker[e], hash = this.#block[e];
    this.#unlinkLru(e);
    const p = this.#hPrev[e], nx = this.#hNext[e];
    if (nx >= 0) this.#hPrev[nx] = p;
    if (p >= 0) this.#hNext[p] = nx;
    else if (nx >= 0) this.#holderHead.set(hash, 0, nx);
    else this.#holderHead.delete(hash, 0);
    this.#byPair.delete(hash, w);
    this.#count[w]--;
    this.#lruNext[e] = this.#freeHead;
    this.#freeHead = e;
  }

  #linkMru(w: number, e: number): void {
    const head = this.#mru[w];
    this.#lruPrev[e] = -1;
    this.#lruNext[e] = head;
    if (head >= 0) this.#lruPrev[head] = e;
    else this.#lru[w] = e;
    this.#mru[w] = e;
  }

  #unlinkLru(e: number): void {
    const w = this.#worker[e];
    const p = this.#lruPrev[e], nx = this.#lruNext[e];
    if (p >= 0) this.#lruNext[p] = nx;
    else this.#mru[w] = nx;
    if (nx >= 0) this.#lruPrev[nx] = p;
    else this.#lru[w] = p;
  }

  #alloc(): number {
    if (this.#freeHead >= 0) {
      const e = this.#freeHead;
      this.#freeHead = this.#lruNext[e];
      return e;
    }
    if (this.#highWater === this.#worker.length) this.#growEntries();
    return this.#highWater++;
  }

  #growEntries(): void {
    const cap = this.#worker.length * 2;
    const grow = <T extends Int32Array | Uint32Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    const i32 = (n: number) => new Int32Array(n);
    this.#worker = grow(this.#worker, i32);
    this.#block = grow(this.#block, (n) => new Uint32Array(n));
    this.#lruPrev = grow(this.#lruPrev, i32);
    this.#lruNext = grow(this.#lruNext, i32);
    this.#hPrev = grow(this.#hPrev, i32);
    this.#hNext = grow(this.#hNext, i32);
  }
}
