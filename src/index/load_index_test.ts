import { deepEqual, equal, throws } from "node:assert/strict";
import fc from "fast-check";
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
