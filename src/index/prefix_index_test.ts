import { deepEqual, equal, ok, throws } from "node:assert/strict";
import fc from "fast-check";
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
