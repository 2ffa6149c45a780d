import { equal, notEqual, ok, throws } from "node:assert/strict";
import { exponential, gamma, logNormal, Rng } from "./rng.ts";

Deno.test("Rng is deterministic per seed and differs across seeds", () => {
  const a = new Rng(5), b = new Rng(5), c = new Rng(6);
  const xs = Array.from({ length: 100 }, () => a.next());
  const ys = Array.from({ length: 100 }, () => b.next());
  const zs = Array.from({ length: 100 }, () => c.next());
  equal(xs.join(), ys.join());
  notEqual(xs.join(), zs.join());
  ok(xs.every((x) => x >= 0 && x < 1));
});

Deno.test("Rng draws are roughly uniform", () => {
  const rng = new Rng(1);
  const bins = new Array(10).fill(0);
  for (let i = 0; i < 100_000; i++) bins[Math.floor(rng.next() * 10)]++;
  for (const n of bins) ok(Math.abs(n - 10_000) < 500, `bin count ${n}`);
});

Deno.test("distributions have the requested means", () => {
  const src = new Rng(2).source();
  const n = 100_000;
  let e = 0, g = 0, g2 = 0, below = 0;
  for (let i = 0; i < n; i++) {
    e += exponential(src, 3);
    g += gamma(src, 0.25, 4); // mean 1
    g2 += gamma(src, 4, 0.5); // mean 2
    if (logNormal(src, 100, 1) < 100) below++;
  }
  ok(Math.abs(e / n - 3) < 0.05, `exponential mean ${e / n}`);
  ok(Math.abs(g / n - 1) < 0.05, `gamma(0.25) mean ${g / n}`);
  ok(Math.abs(g2 / n - 2) < 0.05, `gamma(4) mean ${g2 / n}`);
  ok(Math.abs(below / n - 0.5) < 0.01, `log-normal median fraction ${below / n}`);
});

Deno.test("Rng rejects a non-finite seed", () => {
  throws(() => new Rng(NaN), /'seed' must be a finite number/);
});
