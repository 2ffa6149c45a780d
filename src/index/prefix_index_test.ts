import { deepEqual, equal, ok, throws } from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { PrefixIndex } from "./prefix_index.ts";

// A brute-force model of one worker's LRU over block ids.
class ModelCache {
  order: number[] = []; // most recent first
  insert(blocks: number[]): void {
    for (let i = blocks.length - 1; i >= 0; i--) {
      const b = blocks[i];
      const at = this.order.indexOf(b);
      if (at >= 0) this.order.splice(at, 1);
      this.order.unshift(b);
    }
  }
  evictTo(max: number): void {
    if (this.order.length > max) this.order.length = Math.max(0, max);
  }
  match(blocks: number[]): number {
    let n = 0;
    while (n < blocks.length && this.order.includes(blocks[n])) n++;
    return n;
  }
}

// Chains over a small tree of block ids so that prefixes are shared: block id encodes the
// path, so equal id ⇒ equal prefix (chain hashes, as in Mooncake's hash_ids).
function chain(path: number[]): number[] {
  const out: number[] = [];
  let id = 0;
  for (const step of path) {
    id = id * 4 + step + 1;
    out.push(id);
  }
  return out;
}

const pathArb = fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 8 });
const opArb = fc.record({
  kind: fc.constantFrom("insert", "insert", "evict"),
  worker: fc.integer({ min: 0, max: 5 }),
  path: pathArb,
  max: fc.integer({ min: 0, max: 12 }),
});

Deno.test("PrefixIndex matches a brute-force LRU model (matchLength, blockCount, matchInto)", () => {
  fc.assert(
    fc.property(
      fc.array(opArb, { maxLength: 120 }),
      fc.array(pathArb, { minLength: 1, maxLength: 10 }),
      (ops, queries) => {
        const index = new PrefixIndex(6);
        const models = Array.from({ length: 6 }, () => new ModelCache());
        for (const o of ops) {
          if (o.kind === "insert") {
            const blocks = chain(o.path);
            index.insert(o.worker, new Uint32Array(blocks));
            models[o.worker].insert(blocks);
          } else {
            index.evictTo(o.worker, o.max);
            models[o.worker].evictTo(o.max);
          }
        }
        for (let w = 0; w < 6; w++) equal(index.blockCount(w), models[w].order.length);
        const ids = new Int32Array(6), counts = new Uint16Array(6);
        for (const path of queries) {
          const blocks = chain(path);
          const q = new Uint32Array(blocks);
          const expected = models.map((m) => m.match(blocks));
          for (let w = 0; w < 6; w++) equal(index.matchLength(w, q), expected[w], `worker ${w}`);
          const k = index.matchInto(q, ids, counts);
          const holders = expected.filter((x) => x > 0).length;
          equal(k, holders, "matchInto returns every holder when the buffer is large enough");
          const seen = new Set<number>();
          for (let i = 0; i < k; i++) {
            ok(!seen.has(ids[i]), "no duplicates");
            seen.add(ids[i]);
            equal(counts[i], expected[ids[i]], `count of worker ${ids[i]}`);
            if (i > 0) ok(counts[i] <= counts[i - 1], "longest first");
          }
        }
      },
    ),
    { seed: 7, numRuns: 300 },
  );
});

Deno.test("PrefixIndex.matchInto keeps the longest matches when the buffer is small", () => {
  const index = new PrefixIndex(8);
  const blocks = new Uint32Array([10, 11, 12, 13]);
  for (let w = 0; w < 8; w++) index.insert(w, blocks, 1 + (w % 4)); // worker w holds w%4+1 blocks
  const ids = new Int32Array(2), counts = new Uint16Array(2);
  equal(index.matchInto(blocks, ids, counts), 2);
  deepEqual(Array.from(counts), [4, 4]);
  deepEqual(Array.from(ids).sort(), [3, 7]);
});

Deno.test("PrefixIndex evicts least recently used blocks, chain tails first", () => {
  const index = new PrefixIndex(1);
  index.insert(0, new Uint32Array([1, 2, 3]));
  index.insert(0, new Uint32Array([1, 4]));
  index.evictTo(0, 3); // 3 and 2 are older than 1 and 4; tails go first
  equal(index.matchLength(0, new Uint32Array([1, 4])), 2);
  equal(index.matchLength(0, new Uint32Array([1, 2, 3])), 2);
  equal(index.blockCount(0), 3);
  index.clearWorker(0);
  equal(index.blockCount(0), 0);
  equal(index.size, 0);
});

Deno.test("PrefixIndex rejects a bad worker count", () => {
  throws(() => new PrefixIndex(0), /'maxWorkers' must be an integer/);
});

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
function chainOf(c: number, len: number): number[] {
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

Deno.test("PrefixIndex: holder order, ids past 2^31, k below the holder count, against a naive model", () => {
  fc.assert(
    fc.property(fc.array(command, { maxLength: 120 }), (commands) => {
      const index = new PrefixIndex(WORKERS);
      const model = new NaiveIndex(WORKERS);
      let fresh = 0x40000000;
      for (const cmd of commands) {
        if (cmd.op === "insert") {
          const blocks = chainOf(cmd.c, cmd.len);
          index.insert(cmd.w, new Uint32Array(blocks));
          model.insert(cmd.w, blocks);
        } else if (cmd.op === "evict") {
          index.evictTo(cmd.w, cmd.max);
          model.evictTo(cmd.w, cmd.max);
        } else {
          // A request: a prefix of a chain, then two blocks nobody holds.
          const blocks = [...chainOf(cmd.c, cmd.len), fresh++, fresh++];
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
