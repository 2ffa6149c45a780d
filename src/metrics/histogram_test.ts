import { deepEqual, equal, ok, throws } from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { LogHistogram } from "./histogram.ts";

function exactPercentile(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}

Deno.test("LogHistogram percentiles are within 0.1% of the exact nearest-rank values", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0.01, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
      (values) => {
        const h = new LogHistogram();
        for (const v of values) h.add(v);
        const sorted = [...values].sort((a, b) => a - b);
        for (const q of [0.5, 0.9, 0.99, 1]) {
          const exact = exactPercentile(sorted, q);
          const got = h.percentile(q);
          ok(Math.abs(got - exact) <= exact * 1e-3, `q=${q}: ${got} vs ${exact}`);
        }
        const mean = values.reduce((s, v) => s + v, 0) / values.length;
        ok(Math.abs(h.mean - mean) <= Math.abs(mean) * 1e-9 + 1e-9);
        const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
        ok(Math.abs(h.std - Math.sqrt(variance)) <= Math.sqrt(variance) * 1e-6 + 1e-6);
        equal(h.max, sorted[sorted.length - 1]);
        equal(h.count, values.length);
      },
    ),
    { seed: 5, numRuns: 200 },
  );
});

Deno.test("LogHistogram ignores NaN and reports NaN when empty", () => {
  const h = new LogHistogram();
  h.add(NaN);
  equal(h.count, 0);
  ok(Number.isNaN(h.percentile(0.5)));
  h.add(0);
  equal(h.percentile(0.99), 0);
});

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
