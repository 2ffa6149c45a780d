import { deepEqual, equal, throws } from "node:assert/strict";
import fc from "fast-check";
import { PrefixIndex } from "./prefix_index.ts";

/**
 * The obvious model: per worker an array of blocks, most recent first; per block an
 * array of holders, newest holder first.
 */
class NaiveIndex {
  lists: number[][];
  holders = new Map<number, number[]>();
  constructor(n: number) {
    this.lists = Array.from({ length: n }, () => []);
  }
  insert(w: number, blocks: readonly number[]): void {
    for (let i = blocks.length - 1; i >= 0; i--) {
      const b = blocks[i];
      const list = this.lists[w];
      const at = list.indexOf(b);
      if (at >= 0) list.splice(at, 1);
      else {
        const hs = this.holders.get(b) ?? [];
        hs.unshift(w);
        this.holders.set(b, hs);
      }
      list.unshift(b);
    }
  }
  evictTo(w: number, max: number): void {
    const list = this.lists[w];
    while (list.length > Math.max(0, max)) {
      const b = list.pop()!;
      const hs = this.holders.get(b)!;
      hs.splice(hs.indexOf(w), 1);
      if (hs.length === 0) this.holders.delete(b);
    }
  }
  matchLength(w: number, blocks: readonly number[]): number {
    let m = 0;
    while (m < blocks.length && this.lists[w].includes(blocks[m])) m++;
    return m;
  }
  matchInto(blocks: readonly number[], k: number): [number[], number[]] {
    let deepest = 0;
    while (deepest < blocks.length && this.holders.has(blocks[deepest])) deepest++;
    const ids: number[] = [], counts: number[] = [];
    for (let d = deepest - 1; d >= 0 && ids.length < k; d--) {
      for (const w of this.holders.get(blocks[d])!) {
        if (ids.includes(w)) continue;
        ids.push(w);
        counts.push(d + 1);
        if (ids.length === k) break;
      }
    }
    return [ids, counts];
  }
}

// Chain-consistent block ids (equal id ⇒ equal prefix): chain c, position k. Chains sit
// near 2^31 and near 2^32 too, so that ids that do not fit an int32 are exercised.
const BASES = [1, 0x7ffff000, 0xfff00000];
function chain(c: number, len: number): number[] {
  const base = BASES[c % BASES.length] + Math.floor(c / BASES.length) * 512;
  return Array.from({ length: len }, (_, k) => base + k);
}

const WORKERS = 5;
const command = fc.oneof(
  fc.record({
    op: fc.constant("insert" as const),
    w: fc.nat(WORKERS - 1),
    c: fc.nat(8),
    len: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({ op: fc.constant("evict" as const), w: fc.nat(WORKERS - 1), max: fc.nat(60) }),
  fc.record({
    op: fc.constant("query" as const),
    w: fc.nat(WORKERS - 1),
    c: fc.nat(8),
    len: fc.integer({ min: 0, max: 45 }),
    k: fc.nat(6),
  }),
);

Deno.test("PrefixIndex agrees with a naive model under random inserts, evictions, queries", () => {
  fc.assert(
    fc.property(fc.array(command, { maxLength: 120 }), (commands) => {
      const index = new PrefixIndex(WORKERS);
      const model = new NaiveIndex(WORKERS);
      let fresh = 0x40000000;
      for (const cmd of commands) {
        if (cmd.op === "insert") {
          const blocks = chain(cmd.c, cmd.len);
          index.insert(cmd.w, new Uint32Array(blocks));
          model.insert(cmd.w, blocks);
        } else if (cmd.op === "evict") {
          index.evictTo(cmd.w, cmd.max);
          model.evictTo(cmd.w, cmd.max);
        } else {
          // A request: a prefix of a chain, then two blocks nobody holds.
          const blocks = [...chain(cmd.c, cmd.len), fresh++, fresh++];
          const req = new Uint32Array(blocks);
          equal(index.matchLength(cmd.w, req), model.matchLength(cmd.w, blocks));
          const ids = new Int32Array(cmd.k), counts = new Uint16Array(cmd.k);
          const n = index.matchInto(req, ids, counts);
          const [wantIds, wantCounts] = model.matchInto(blocks, cmd.k);
          deepEqual(Array.from(ids.subarray(0, n)), wantIds);
          deepEqual(Array.from(counts.subarray(0, n)), wantCounts);
        }
        let total = 0;
        for (let w = 0; w < WORKERS; w++) {
          equal(index.blockCount(w), model.lists[w].length);
          total += model.lists[w].length;
        }
        equal(index.size, total);
      }
      for (let w = 0; w < WORKERS; w++) {
        for (const b of model.lists[w]) equal(index.has(w, b), true);
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("PrefixIndex stays consistent through growth and heavy churn", () => {
  // Enough entries to grow every table several times, then evict them all.
  const index = new PrefixIndex(64);
  const blocks = new Uint32Array(200);
  for (let w = 0; w < 64; w++) {
    for (let k = 0; k < blocks.length; k++) blocks[k] = (w % 8) * 100_000 + k;
    index.insert(w, blocks);
  }
  equal(index.size, 64 * 200);
  const ids = new Int32Array(64), counts = new Uint16Array(64);
  equal(index.matchInto(blocks, ids, counts), 8); // the 8 workers holding chain 7
  deepEqual(Array.from(ids.subarray(0, 8)), [63, 55, 47, 39, 31, 23, 15, 7]);
  for (let w = 0; w < 64; w++) index.evictTo(w, w % 2 === 0 ? 0 : 50);
  equal(index.size, 32 * 50);
  equal(index.matchLength(63, blocks), 50);
  equal(index.matchLength(62, blocks), 0);
  for (let w = 0; w < 64; w++) index.clearWorker(w);
  equal(index.size, 0);
  equal(index.matchInto(blocks, ids, counts), 0);
});

Deno.test("PrefixIndex rejects a bad worker count", () => {
  throws(() => new PrefixIndex(0), /'maxWorkers' must be an integer in \[1, 2097152\], got 0/);
  throws(() => new PrefixIndex(2 ** 22), RangeError);
});
