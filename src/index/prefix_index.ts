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
 * and `block → first holder`. A table slot is two words, a 32-bit hash and the entry;
 * the key itself is read from the entry, so the tables stay small and cache-resident.
 * Hashes keep the two low bits of the block id, so consecutive ids (a chain's
 * blocks, in synthetic workloads and Mooncake traces alike) share cache lines.
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

// Words of one entry in the entry table.
const ENTRY = 6;
const WORKER = 0;
const BLOCK = 1; // stored as int32 (`block | 0`)
const LRU_PREV = 2;
const LRU_NEXT = 3;
const H_PREV = 4;
const H_NEXT = 5;

// Hash-table slots: [hash, entry]; entry −1 = empty. Tables grow at load factor 1/2.
const EMPTY = -1;
const HEAD_SALT = 0x7f4a7c15; // stands in for the worker in `block → first holder` hashes

function mixHash(a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 13;
  return h;
}

/** Hash of `(block, salt)` keeping the block's two low bits (locality for chains). */
function slotHash(block: number, salt: number): number {
  return (mixHash(block >>> 2, salt) << 2) | (block & 3);
}

function emptySlots(cap: number): Int32Array {
  const slots = new Int32Array(cap * 2);
  for (let i = 1; i < slots.length; i += 2) slots[i] = EMPTY;
  return slots;
}

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
  #freeHead = -1;
  // (block, worker) → entry.
  #pSlots = emptySlots(2048);
  #pMask = 2047;
  #pSize = 0;
  // block → first entry of its holder list.
  #hSlots = emptySlots(2048);
  #hMask = 2047;
  #hSize = 0;
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
    return this.#pSize;
  }

  /** Number of blocks `worker` holds. */
  blockCount(worker: WorkerId): number {
    return this.#count[worker];
  }

  /** Whether `worker` holds block `hash`. */
  has(worker: WorkerId, hash: number): boolean {
    return this.#pFind(hash, worker, slotHash(hash, worker)) >= 0;
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
    if (len === 0) return 0;
    let b = blocks[0];
    if (this.#pFind(b, worker, slotHash(b, worker)) < 0) return 0;
    let lo = 0, hi = len; // invariant: holds lo, not hi (hi = len is "past the end")
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      b = blocks[mid];
      if (this.#pFind(b, worker, slotHash(b, worker)) >= 0) lo = mid;
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
    if (len === 0 || k === 0 || this.#firstHolder(blocks[0]) < 0) return 0;
    let lo = 0, hi = len;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (this.#firstHolder(blocks[mid]) >= 0) lo = mid;
      else hi = mid;
    }
    const stamp = this.#stamp, ent = this.#e;
    const now = this.#nextStamp();
    let written = 0;
    for (let d = lo; d >= 0 && written < k; d--) {
      for (let e = this.#firstHolder(blocks[d]); e >= 0; e = ent[e * ENTRY + H_NEXT]) {
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

  // ---- (block, worker) → entry ----------------------------------------------------

  /** Slot of `(block, w)` (≥ 0), or `~slot` of the empty slot where it would go. */
  #pFind(block: number, w: number, h: number): number {
    const slots = this.#pSlots, mask = this.#pMask, ent = this.#e;
    const b = block | 0;
    let i = h & mask;
    for (;;) {
      const e = slots[2 * i + 1];
      if (e === EMPTY) return ~i;
      if (slots[2 * i] === h && ent[e * ENTRY + BLOCK] === b && ent[e * ENTRY + WORKER] === w) {
        return i;
      }
      i = (i + 1) & mask;
    }
  }

  // ---- block → first holder -------------------------------------------------------

  /** First entry of `block`'s holder list, or −1. */
  #firstHolder(block: number): number {
    const s = this.#hFind(block, slotHash(block, HEAD_SALT));
    return s >= 0 ? this.#hSlots[2 * s + 1] : EMPTY;
  }

  #hFind(block: number, h: number): number {
    const slots = this.#hSlots, mask = this.#hMask, ent = this.#e;
    const b = block | 0;
    let i = h & mask;
    for (;;) {
      const e = slots[2 * i + 1];
      if (e === EMPTY) return ~i;
      if (slots[2 * i] === h && ent[e * ENTRY + BLOCK] === b) return i;
      i = (i + 1) & mask;
    }
  }

  // ---- updates --------------------------------------------------------------------

  #touch(w: number, block: number): void {
    if (this.#pSize + 1 > (this.#pMask + 1) >> 1) {
      this.#pSlots = grow(this.#pSlots, this.#pMask);
      this.#pMask = this.#pMask * 2 + 1;
    }
    const ph = slotHash(block, w);
    const ps = this.#pFind(block, w, ph);
    if (ps >= 0) {
      const e = this.#pSlots[2 * ps + 1];
      if (this.#mru[w] === e) return;
      this.#unlinkLru(e);
      this.#linkMru(w, e);
      return;
    }
    const e = this.#alloc();
    const ent = this.#e, o = e * ENTRY;
    ent[o + WORKER] = w;
    ent[o + BLOCK] = block;
    let slots = this.#pSlots;
    slots[2 * ~ps] = ph;
    slots[2 * ~ps + 1] = e;
    this.#pSize++;
    // Push onto the block's holder list.
    if (this.#hSize + 1 > (this.#hMask + 1) >> 1) {
      this.#hSlots = grow(this.#hSlots, this.#hMask);
      this.#hMask = this.#hMask * 2 + 1;
    }
    const hh = slotHash(block, HEAD_SALT);
    const hs = this.#hFind(block, hh);
    slots = this.#hSlots;
    let head = EMPTY;
    if (hs >= 0) {
      head = slots[2 * hs + 1];
      slots[2 * hs + 1] = e;
      ent[head * ENTRY + H_PREV] = e;
    } else {
      slots[2 * ~hs] = hh;
      slots[2 * ~hs + 1] = e;
      this.#hSize++;
    }
    ent[o + H_PREV] = EMPTY;
    ent[o + H_NEXT] = head;
    this.#linkMru(w, e);
    this.#count[w]++;
  }

  #remove(e: number): void {
    const ent = this.#e, o = e * ENTRY;
    const w = ent[o + WORKER], block = ent[o + BLOCK];
    this.#unlinkLru(e);
    const p = ent[o + H_PREV], nx = ent[o + H_NEXT];
    if (nx >= 0) ent[nx * ENTRY + H_PREV] = p;
    if (p >= 0) {
      ent[p * ENTRY + H_NEXT] = nx;
    } else {
      // `e` heads its block's holder list: hand the slot to the next holder, or free it.
      const slots = this.#hSlots, mask = this.#hMask;
      let i = slotHash(block, HEAD_SALT) & mask;
      while (slots[2 * i + 1] !== e) i = (i + 1) & mask;
      if (nx >= 0) slots[2 * i + 1] = nx;
      else {
        deleteSlot(slots, mask, i);
        this.#hSize--;
      }
    }
    {
      const slots = this.#pSlots, mask = this.#pMask;
      let i = slotHash(block, w) & mask;
      while (slots[2 * i + 1] !== e) i = (i + 1) & mask;
      deleteSlot(slots, mask, i);
      this.#pSize--;
    }
    this.#count[w]--;
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

/** Removes slot `i` by backward shift (probe chains stay intact without tombstones). */
function deleteSlot(slots: Int32Array, mask: number, i: number): void {
  let hole = i;
  let j = i;
  for (;;) {
    j = (j + 1) & mask;
    const e = slots[2 * j + 1];
    if (e === EMPTY) break;
    const home = slots[2 * j] & mask;
    // Move j into the hole when its home is not cyclically within (hole, j].
    const inRange = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
    if (!inRange) {
      slots[2 * hole] = slots[2 * j];
      slots[2 * hole + 1] = e;
      hole = j;
    }
  }
  slots[2 * hole + 1] = EMPTY;
}

/** A table of twice the slots holding the same entries (rehashed from stored hashes). */
function grow(old: Int32Array, oldMask: number): Int32Array {
  const mask = oldMask * 2 + 1;
  const slots = emptySlots(mask + 1);
  for (let o = 0; o < old.length; o += 2) {
    const e = old[o + 1];
    if (e === EMPTY) continue;
    const h = old[o];
    let i = h & mask;
    while (slots[2 * i + 1] !== EMPTY) i = (i + 1) & mask;
    slots[2 * i] = h;
    slots[2 * i + 1] = e;
  }
  return slots;
}
