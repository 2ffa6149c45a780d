/**
 * An open-addressing hash table from a pair of 32-bit unsigned integers to a
 * non-negative int32, stored in typed arrays (no per-entry objects, no GC churn).
 * Linear probing with backward-shift deletion; grows at load factor 1/2.
 *
 * @module
 */

const EMPTY = -1;

/** Map from `(a, b)` (both uint32) to a non-negative int32 value. */
export class PairTable {
  #keyA: Uint32Array;
  #keyB: Uint32Array;
  #val: Int32Array;
  #mask: number;
  #size = 0;

  /** @param initialCapacity A hint; rounded up to a power of two (at least 16). */
  constructor(initialCapacity = 16) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.#keyA = new Uint32Array(cap);
    this.#keyB = new Uint32Array(cap);
    this.#val = new Int32Array(cap).fill(EMPTY);
    this.#mask = cap - 1;
  }

  /** Number of keys stored. */
  get size(): number {
    return this.#size;
  }

  #slot(a: number, b: number): number {
    let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 13;
    return h & this.#mask;
  }

  /** Value for `(a, b)`, or `-1` when absent. */
  get(a: number, b: number): number {
    const keyA = this.#keyA, keyB = this.#keyB, val = this.#val, mask = this.#mask;
    let i = this.#slot(a, b);
    for (;;) {
      const v = val[i];
      if (v === EMPTY) return EMPTY;
      if (keyA[i] === a && keyB[i] === b) return v;
      i = (i + 1) & mask;
    }
  }

  /** Sets `(a, b)` to `value` (a non-negative int32). */
  set(a: number, b: number, value: number): void {
    if ((this.#size + 1) * 2 > this.#val.length) this.#grow();
    const keyA = this.#keyA, keyB = this.#keyB, val = this.#val, mask = this.#mask;
    let i = this.#slot(a, b);
    for (;;) {
      if (val[i] === EMPTY) {
        keyA[i] = a;
        keyB[i] = b;
        val[i] = value;
        this.#size++;
        return;
      }
      if (keyA[i] === a && keyB[i] === b) {
        val[i] = value;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  /** Removes `(a, b)`; returns whether it was present. */
  delete(a: number, b: number): boolean {
    const keyA = this.#keyA, keyB = this.#keyB, val = this.#val, mask = this.#mask;
    let i = this.#slot(a, b);
    for (;;) {
      if (val[i] === EMPTY) return false;
      if (keyA[i] === a && keyB[i] === b) break;
      i = (i + 1) & mask;
    }
    // Backward-shift deletion keeps probe chains intact without tombstones.
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (val[j] === EMPTY) break;
      const home = this.#slot(keyA[j], keyB[j]);
      // Move j into the hole when its home is not cyclically within (hole, j].
      const inRange = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (!inRange) {
        keyA[hole] = keyA[j];
        keyB[hole] = keyB[j];
        val[hole] = val[j];
        hole = j;
      }
    }
    val[hole] = EMPTY;
    this.#size--;
    return true;
  }

  #grow(): void {
    const oldA = this.#keyA, oldB = this.#keyB, oldV = this.#val;
    const cap = oldV.length * 2;
    this.#keyA = new Uint32Array(cap);
    this.#keyB = new Uint32Array(cap);
    this.#val = new Int32Array(cap).fill(EMPTY);
    this.#mask = cap - 1;
    this.#size = 0;
    for (let i = 0; i < oldV.length; i++) {
      if (oldV[i] !== EMPTY) this.set(oldA[i], oldB[i], oldV[i]);
    }
  }
}
