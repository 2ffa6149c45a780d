import { equal, ok, throws } from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { TimeBins } from "./time_bins.ts";

Deno.test("TimeBins keeps sums and counts through merges, within maxBins", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 9 })),
        {
          maxLength: 300,
        },
      ),
      fc.integer({ min: 1, max: 8 }).map((k) => 2 * k),
      (points, maxBins) => {
        const bins = new TimeBins(2, 1, maxBins);
        let sum = 0;
        for (const [t, v] of points) {
          bins.add(t, 0, v);
          bins.add(t, 1, 1);
          sum += v;
        }
        ok(bins.length <= maxBins);
        let total = 0, count = 0;
        for (let i = 0; i < bins.length; i++) {
          total += bins.sum(i, 0);
          count += bins.count(i, 0);
          equal(bins.sum(i, 1), bins.count(i, 1));
        }
        equal(count, points.length);
        ok(Math.abs(total - sum) <= 1e-9 * Math.max(1, sum));
        for (const [t] of points) ok(t < bins.length * bins.binMs);
      },
    ),
  );
});

Deno.test("TimeBins puts each value in the bin covering its time", () => {
  const bins = new TimeBins(1, 100, 4);
  bins.add(0, 0, 1);
  bins.add(99, 0, 3);
  bins.add(100, 0, 10);
  equal(bins.length, 2);
  equal(bins.mean(0, 0), 2);
  equal(bins.mean(1, 0), 10);
  bins.add(450, 0, 5); // past 4 bins of 100 ms: they merge into 200 ms bins
  equal(bins.binMs, 200);
  equal(bins.mean(0, 0), 14 / 3);
  equal(bins.mean(2, 0), 5);
  ok(Number.isNaN(bins.mean(1, 0)));
});

Deno.test("TimeBins rejects bad arguments", () => {
  throws(() => new TimeBins(0, 1), /'channels' must be a positive integer, got 0/);
  throws(() => new TimeBins(1, 0), /'binMs' must be a positive number, got 0/);
  throws(() => new TimeBins(1, 1, 3), /'maxBins' must be an even integer >= 2, got 3/);
});
