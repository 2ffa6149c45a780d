/**
 * An open-addressing hash table keyed by `(hi, k2)` whose slots hold eight lanes of
 * int32 values: a key `(id, k2)` lives in group `(id >>> 3, k2)`, lane `id & 7`. Runs
 * of consecutive ids (a prompt's KV blocks in synthetic workloads and in Mooncake
 * traces) then share one slot and one probe instead of eight. (Eight beat four and
 * sixteen on seed-lab at 4 and at 1024 GPUs.)
 *
 * Storage is one Int32Array, twelve words per slot (`[hash, hi, k2, lane bits,
 * v0..v7]`); a slot with no lane set is empty. Linear probing, backward-shift
 * deletion, growth at load factor 1/2.
 *
 * Internal to the prefix index.
 *
 * @module
 */

/** Lanes per group: ids `hi·LANES_PER_GROUP + lane`. */
export const LANE_BITS = 3;
const LANE_COUNT = 1 << LANE_BITS;
const LANE_MASK = LANE_COUNT - 1;
const STRIDE = 4 + LANE_COUNT;
const HASH = 0;
const HI = 1;
const K2 = 2;
const LANES = 3;
const V0 = 4;

function mixHash(a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 13;
  return h;
}

/** Hash table of eight-lane groups; see the module doc. */
export class GroupTable {
  #slots: Int32Array;
  #mask: number;
  #size = 0;
  // The last group found or claimed: runs of lookups in one group skip the probe.
  // Deletions and growth move slots, so they clear it.
  #memoHi = -1;
  #memoK2 = -1;
  #memoSlot = -1;

  /** @param capacity Initial slot count (a power of two, at least 2). */
  constructor(capacity = 1024) {
    this.#slots = new Int32Array(capacity * STRIDE);
    this.#mask = capacity - 1;
  }

  /** Groups stored. */
  get size(): number {
    return this.#size;
  }

  /** Value of key `(id, k2)`, or `-1`. */
  get(id: number, k2: number): number {
    const s = this.find(id >>> LANE_BITS, k2);
    if (s < 0) return -1;
    const lane = id & LANE_MASK;
    const o = s * STRIDE;
    return (this.#slots[o + LANES] & (1 << lane)) !== 0 ? this.#slots[o + V0 + lane] : -1;
  }

  /**
   * Slot of group `(hi, k2)` (≥ 0), or `~slot` of the empty slot where it would go
   * (valid until the table changes; call {@linkcode GroupTable.reserve} first).
   */
  find(hi: number, k2: number): number {
    if (hi === this.#memoHi && k2 === this.#memoK2) return this.#memoSlot;
    const slots = this.#slots, mask = this.#mask;
    let i = mixHash(hi, k2) & mask;
    for (;;) {
      const o = i * STRIDE;
      if (slots[o + LANES] === 0) return ~i;
      if (slots[o + HI] === hi && slots[o + K2] === k2) {
        this.#memoHi = hi;
        this.#memoK2 = k2;
        this.#memoSlot = i;
        return i;
      }
      i = (i + 1) & mask;
    }
  }

  /** Grows the table if `extra` more groups (default 1) would pass the load factor. */
  reserve(extra = 1): void {
    while ((this.#size + extra) * 2 > this.#mask + 1) this.#grow();
  }

  /** Whether lane `lane` of slot `slot` holds a value. */
  has(slot: number, lane: number): boolean {
    return (this.#slots[slot * STRIDE + LANES] & (1 << lane)) !== 0;
  }

  /** Value in lane `lane` of slot `slot` (set lanes only). */
  lane(slot: number, lane: number): number {
    return this.#slots[slot * STRIDE + V0 + lane];
  }

  /**
   * Claims the empty slot `~missing` (from {@linkcode GroupTable.find}) for group
   * `(hi, k2)` and returns it. Set a lane at once: a slot without lanes is empty.
   */
  claim(missing: number, hi: number, k2: number): number {
    const i = ~missing;
    const o = i * STRIDE;
    const slots = this.#slots;
    slots[o + HASH] = mixHash(hi, k2);
    slots[o + HI] = hi;
    slots[o + K2] = k2;
    this.#size++;
    this.#memoHi = hi;
    this.#memoK2 = k2;
    this.#memoSlot = i;
    return i;
  }

  /** Sets lane `lane` of slot `slot` to `value`. */
  setLane(slot: number, lane: number, value: number): void {
    const o = slot * STRIDE;
    this.#slots[o + V0 + lane] = value;
    this.#slots[o + LANES] |= 1 << lane;
  }

  /** Clears lane `lane` of slot `slot`, deleting the group when no lane is left. */
  clearLane(slot: number, lane: number): void {
    const slots = this.#slots;
    const o = slot * STRIDE;
    const bits = slots[o + LANES] & ~(1 << lane);
    slots[o + LANES] = bits;
    if (bits === 0) this.#deleteAt(slot);
  }

  #deleteAt(i: number): void {
    this.#memoHi = -1;
    const slots = this.#slots, mask = this.#mask;
    // Backward-shift deletion keeps probe chains intact without tombstones.
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const o = j * STRIDE;
      if (slots[o + LANES] === 0) break;
      const home = slots[o + HASH] & mask;
      // Move j into the hole when its home is not cyclically within (hole, j].
      const inRange = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (!inRange) {
        const h = hole * STRIDE;
        for (let k = 0; k < STRIDE; k++) slots[h + k] = slots[o + k];
        hole = j;
      }
    }
    slots[hole * STRIDE + LANES] = 0;
    this.#size--;
  }

  #grow(): void {
    this.#memoHi = -1;
    const old = this.#slots;
    const cap = (this.#mask + 1) * 2;
    const mask = cap - 1;
    const slots = new Int32Array(cap * STRIDE);
    for (let o = 0; o < old.length; o += STRIDE) {
      if (old[o + LANES] === 0) continue;
      let i = old[o + HASH] & mask;
      while (slots[i * STRIDE + LANES] !== 0) i = (i + 1) & mask;
      const n = i * STRIDE;
      for (let k = 0; k < STRIDE; k++) slots[n + k] = old[o + k];
    }
    this.#slots = slots;
    this.#mask = mask;
  }
}
