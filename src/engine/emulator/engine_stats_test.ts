import { equal } from "node:assert/strict";
import { BucketHistogram, LatenessHistogram } from "./engine_stats.ts";

Deno.test("lateness histogram: quantiles at 0.01 ms, the max beyond the bins, reset", () => {
  const h = new LatenessHistogram();
  for (let i = 0; i < 990; i++) h.record(0.123);
  for (let i = 0; i < 9; i++) h.record(1.5);
  h.record(250);
  const s = h.summary();
  equal(s.tokens, 1000);
  equal(s.p50Ms, 0.13, "upper edge of the 0.12–0.13 bin");
  equal(s.p99Ms, 0.13);
  equal(s.p999Ms, 1.51);
  equal(s.maxMs, 250);
  h.record(-1);
  equal(h.summary().tokens, 1001, "an early token counts as on time");
  h.reset();
  equal(h.summary().tokens, 0);
  equal(h.summary().p99Ms, 0);
});

Deno.test("bucket histogram: a value on a bound falls in that bucket", () => {
  const h = new BucketHistogram([0.1, 1]);
  h.observe(0.1);
  h.observe(0.5, 3);
  h.observe(9);
  equal([...h.counts].join(), "1,3,1");
  equal(h.count, 5);
  equal(h.sum, 0.1 + 1.5 + 9);
});
