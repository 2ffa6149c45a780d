import { deepEqual, equal, throws } from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { LoadIndex } from "./load_index.ts";

function bruteSmallest(keys: number[], k: number): number[] {
  return keys.map((key, w) => ({ key, w }))
    .filter((x) => x.key !== Infinity)
    .sort((a, b) => a.key - b.key || a.w - b.w)
    .slice(0, k)
    .map((x) => x.w);
}

Deno.test("LoadIndex agrees with sorting under random updates", () => {
  const keyArb = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(Infinity));
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 37 }),
      fc.array(fc.tuple(fc.nat(), keyArb), { maxLength: 200 }),
      fc.integer({ min: 1, max: 10 }),
      (n, updates, k) => {
        const index = new LoadIndex(n);
        const keys = new Array<number>(n).fill(Infinity);
        for (const [w, key] of updates) {
          index.set(w % n, key);
          keys[w % n] = key;
        }
        const ids = new Int32Array(k);
        const got = Array.from(ids.subarray(0, index.smallestInto(ids)));
        deepEqual(got, bruteSmallest(keys, k));
        const finite = keys.map((key, w) => ({ key, w })).filter((x) => x.key !== Infinity);
        equal(index.size, finite.length);
        equal(index.min(), finite.length ? bruteSmallest(keys, 1)[0] : -1);
        const maxKey = Math.max(...finite.map((x) => x.key));
        equal(index.max(), finite.length ? finite.find((x) => x.key === maxKey)!.w : -1);
        equal(index.sum, finite.reduce((s, x) => s + x.key, 0));
        equal(index.sumSquares, finite.reduce((s, x) => s + x.key * x.key, 0));
      },
    ),
    { seed: 3, numRuns: 300 },
  );
});

Deno.test("LoadIndex rejects a bad size", () => {
  throws(() => new LoadIndex(0), /'n' must be a positive integer/);
});

/** The k smallest finite keys, ascending, lowest id first on ties: the obvious way. */
function naiveSmallestTies(keys: readonly number[], k: number): number[] {
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

Deno.test("LoadIndex: ties, fractional keys, k beyond the pool, checked after every update", () => {
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
          const want = naiveSmallestTies(keys, k);
          const got = index.smallestInto(ids);
          deepEqual(Array.from(ids.subarray(0, got)), want);
          equal(index.min(), naiveSmallestTies(keys, 1)[0] ?? -1);
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
