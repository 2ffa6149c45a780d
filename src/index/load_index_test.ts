import { deepEqual, equal, throws } from "node:assert/strict";
import fc from "fast-check";
import { LoadIndex } from "./load_index.ts";

/** The k smallest finite keys, ascending, lowest id first on ties: the obvious way. */
function naiveSmallest(keys: readonly number[], k: number): number[] {
  return keys
    .map((key, w) => ({ key, w }))
    .filter((x) => x.key !== Infinity)
    .sort((a, b) => a.key - b.key || a.w - b.w)
    .slice(0, k)
    .map((x) => x.w);
}

function naiveMax(keys: readonly number[]): number {
  let best = -1;
  for (let w = 0; w < keys.length; w++) {
    if (keys[w] !== Infinity && (best < 0 || keys[w] > keys[best])) best = w;
  }
  return best;
}

// Few distinct keys, so that ties are common; Infinity takes a worker out of the pool.
const keyArb = fc.oneof(
  fc.constant(Infinity),
  fc.integer({ min: 0, max: 5 }),
  fc.double({ min: 0, max: 100, noNaN: true }),
);

Deno.test("LoadIndex agrees with a naive model under random updates", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 70 }),
      fc.array(fc.tuple(fc.nat(), keyArb), { maxLength: 200 }),
      fc.integer({ min: 0, max: 80 }),
      (n, updates, k) => {
        const index = new LoadIndex(n);
        const keys: number[] = new Array(n).fill(Infinity);
        const ids = new Int32Array(k);
        for (const [slot, key] of updates) {
          const w = slot % n;
          index.set(w, key);
          keys[w] = key;
          const want = naiveSmallest(keys, k);
          const got = index.smallestInto(ids);
          deepEqual(Array.from(ids.subarray(0, got)), want);
          equal(index.min(), naiveSmallest(keys, 1)[0] ?? -1);
          equal(index.max(), naiveMax(keys));
          equal(index.size, keys.filter((x) => x !== Infinity).length);
          equal(index.key(w), key);
        }
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("LoadIndex.smallestInto fills at most ids.length and skips out-of-pool workers", () => {
  const index = new LoadIndex(6);
  for (const [w, key] of [[0, 3], [1, 1], [2, Infinity], [3, 1], [5, 0]]) index.set(w, key);
  const three = new Int32Array(3);
  equal(index.smallestInto(three), 3);
  deepEqual(Array.from(three), [5, 1, 3]);
  const ten = new Int32Array(10);
  equal(index.smallestInto(ten), 4);
  deepEqual(Array.from(ten.subarray(0, 4)), [5, 1, 3, 0]);
  equal(index.smallestInto(new Int32Array(0)), 0);
});

Deno.test("LoadIndex tracks sums and rejects a bad size", () => {
  const index = new LoadIndex(3);
  index.set(0, 2);
  index.set(1, 4);
  equal(index.sum, 6);
  equal(index.sumSquares, 20);
  index.set(1, Infinity);
  equal(index.sum, 2);
  throws(() => new LoadIndex(0), RangeError);
  throws(() => new LoadIndex(1.5), /positive integer, got 1.5/);
});
