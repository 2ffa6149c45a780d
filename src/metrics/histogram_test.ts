import { deepEqual, throws } from "node:assert/strict";
import fc from "fast-check";
import { LogHistogram } from "./histogram.ts";

Deno.test("LogHistogram.percentiles equals percentile at every quantile", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0, max: 1e7, noNaN: true }), { maxLength: 200 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 20 }),
      (values, qs) => {
        const h = new LogHistogram();
        for (const v of values) h.add(v);
        const sorted = [...qs].sort((a, b) => a - b);
        deepEqual(h.percentiles(sorted), sorted.map((q) => h.percentile(q)));
      },
    ),
  );
});

Deno.test("LogHistogram.percentiles rejects unsorted quantiles", () => {
  const h = new LogHistogram();
  h.add(1);
  throws(() => h.percentiles([0.9, 0.5]), /'qs' must be non-decreasing, got 0.9 then 0.5/);
});
