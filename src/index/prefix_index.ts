/**
 * Prefix (KV-block) index: which workers hold which KV blocks, with one LRU per
 * worker. The simulator uses it as the workers' prefix caches; a proxy uses it as
 * its estimate of what engines hold. Policies only read it through
 * {@linkcode PrefixIndexView}.
 *
 * Layout follows GIE's prefix indexer (block → holders, worker → LRU), with dense
 * worker ids and typed-array storage instead of maps of objects: one entry per
 * (worker, block) in a flat entry table, linked into its worker's LRU list and its
 * block's holder list, and two open-addressing hash tables, `(block, worker) → entry`
 * and `block → first holder`, whose slots group eight consecutive block ids (a
 * chain's blocks, in synthetic workloads and Mooncake traces alike), so that a
 * chain costs an eighth of the probes.
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
import { GroupTable, LANE_BITS } from "./_group_table.ts";

// Words of one entry in the entry table.
const ENTRY = 6;
const WORKER = 0;
const BLOCK = 1; // stored as int32 (`block | 0`)
const LRU_PREV = 2;
const LRU_NEXT = 3;
const H_PREV = 4;
const H_NEXT = 5;

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
  // Entries, ENTRY words each: worker, block, LRU prev/next (per worker), holder
  // prev/next (per block).
  #e = new Int32Array(1024 * ENTRY);
  #highWater = 0;
  #entries = 0;
  #freeHead = -1;
  // (block, worker) → entry, and block → first entry of its holder list.
  #pairs = new GroupTable();
  #heads = new GroupTable();
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
    return this.#entries;
  }

  /** Number of blocks `worker` holds. */
  blockCount(worker: WorkerId): number {
    return this.#count[worker];
  }

  /** Whether `worker` holds block `hash`. */
  has(worker: WorkerId, hash: number): boolean {
    return this.#pairs.get(hash, worker) >= 0;
  }

  /**
   * Records that `worker` holds the first `n` blocks of `blocks` and marks them most
   * recently used (last block first, so that the chain head is the most recent).
   */
  insert(worker: WorkerId, blocks: Uint32Array, n: number = blocks.length): void {
    const m = Math.min(n, blocks.length);
    // Room for every group the chain can add, so no table grows (moves slots) below.
    const groups = (m >> LANE_BITS) + 2;
    this.#pairs.reserve(groups);
    this.#heads.reserve(groups);
    for (let i = m - 1; i >= 0; i--) this.#touch(worker, blocks[i]);
  }

  /** Evicts least recently used blocks of `worker` until it holds at most `maxBlocks`. */
  evictTo(worker: WorkerId, maxBlocks: number): void {
    const limit = maxBlocks < 0 ? 0 : maxBlocks;
    const count = this.#count, lru = this.#lru;
    while (count[worker] > limit) {
      // Drop the LRU tail: its successor is none, so unlinking is one step.
      const e = lru[worker];
      const p = this.#e[e * ENTRY + LRU_PREV];
      lru[worker] = p;
      if (p >= 0) this.#e[p * ENTRY + LRU_NEXT] = -1;
      else this.#mru[worker] = -1;
      this.#forget(e);
    }
  }

  /** Drops everything `worker` holds. */
  clearWorker(worker: WorkerId): void {
    this.evictTo(worker, 0);
  }

  /** Number of leading blocks of `blocks` that `worker` holds. O(log b). */
  matchLength(worker: WorkerId, blocks: Uint32Array): number {
    const len = blocks.length;
    const pairs = this.#pairs;
    if (len === 0 || pairs.get(blocks[0], worker) < 0) return 0;
    let lo = 0, hi = len; // invariant: holds lo, not hi (hi = len is "past the end")
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (pairs.get(blocks[mid], worker) >= 0) lo = mid;
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
    const heads = this.#heads;
    if (len === 0 || k === 0 || heads.get(blocks[0], 0) < 0) return 0;
    let lo = 0, hi = len;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (heads.get(blocks[mid], 0) >= 0) lo = mid;
      else hi = mid;
    }
    const stamp = this.#stamp, ent = this.#e;
    const now = this.#nextStamp();
    let written = 0;
    for (let d = lo; d >= 0 && written < k; d--) {
      for (let e = heads.get(blocks[d], 0); e >= 0; e = ent[e * ENTRY + H_NEXT]) {
        const w = ent[e * ENTRY + WORKER];
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

  /** Marks `block` most recently used on `w`, adding it if absent (tables reserved). */
  #touch(w: number, block: number): void {
    const pairs = this.#pairs;
    const hi = block >>> LANE_BITS, lane = block & ((1 << LANE_BITS) - 1);
    let ps = pairs.find(hi, w);
    if (ps >= 0 && pairs.has(ps, lane)) {
      const e = pairs.lane(ps, lane);
      if (this.#mru[w] === e) return;
      this.#unlinkLru(e);
      this.#linkMru(w, e);
      return;
    }
    const e = this.#alloc();
    if (ps < 0) ps = pairs.claim(ps, hi, w);
    pairs.setLane(ps, lane, e);
    // Push onto the block's holder list.
    const heads = this.#heads;
    let hs = heads.find(hi, 0);
    const ent = this.#e, o = e * ENTRY;
    let head = -1;
    if (hs >= 0 && heads.has(hs, lane)) {
      head = heads.lane(hs, lane);
      ent[head * ENTRY + H_PREV] = e;
    } else if (hs < 0) {
      hs = heads.claim(hs, hi, 0);
    }
    heads.setLane(hs, lane, e);
    ent[o + WORKER] = w;
    ent[o + BLOCK] = block;
    ent[o + H_PREV] = -1;
    ent[o + H_NEXT] = head;
    this.#linkMru(w, e);
    this.#count[w]++;
    this.#entries++;
  }

  /** Removes entry `e`, already out of its worker's LRU list, from the tables. */
  #forget(e: number): void {
    const ent = this.#e, o = e * ENTRY;
    const w = ent[o + WORKER], block = ent[o + BLOCK];
    const hi = block >>> LANE_BITS, lane = block & ((1 << LANE_BITS) - 1);
    const p = ent[o + H_PREV], nx = ent[o + H_NEXT];
    if (nx >= 0) ent[nx * ENTRY + H_PREV] = p;
    if (p >= 0) {
      ent[p * ENTRY + H_NEXT] = nx;
    } else {
      // `e` heads its block's holder list: hand the lane to the next holder, or clear it.
      const heads = this.#heads;
      const hs = heads.find(hi, 0);
      if (nx >= 0) heads.setLane(hs, lane, nx);
      else heads.clearLane(hs, lane);
    }
    const pairs = this.#pairs;
    pairs.clearLane(pairs.find(hi, w), lane);
    this.#count[w]--;
    this.#entries--;
    ent[o + LRU_NEXT] = this.#freeHead;
    this.#freeHead = e;
  }

  #linkMru(w: number, e: number): void {
    const ent = this.#e;
    const head = this.#mru[w];
    ent[e * ENTRY + LRU_PREV] = -1;
    ent[e * ENTRY + LRU_NEXT] = head;
    if (head >= 0) ent[head * ENTRY + LRU_PREV] = e;
    else this.#lru[w] = e;
    this.#mru[w] = e;
  }

  #unlinkLru(e: number): void {
    const ent = this.#e, o = e * ENTRY;
    const w = ent[o + WORKER];
    const p = ent[o + LRU_PREV], nx = ent[o + LRU_NEXT];
    if (p >= 0) ent[p * ENTRY + LRU_NEXT] = nx;
    else this.#mru[w] = nx;
    if (nx >= 0) ent[nx * ENTRY + LRU_PREV] = p;
    else this.#lru[w] = p;
  }

  #alloc(): number {
    if (this.#freeHead >= 0) {
      const e = this.#freeHead;
      this.#freeHead = this.#e[e * ENTRY + LRU_NEXT];
      return e;
    }
    if ((this.#highWater + 1) * ENTRY > this.#e.length) {
      const grown = new Int32Array(this.#e.length * 2);
      grown.set(this.#e);
      this.#e = grown;
    }
    return this.#highWater++;
  }
}
