import { equal, throws } from "node:assert/strict";
import { offeredRate, rateScaledTrace } from "./trace_rate.ts";
import { scanTrace } from "./trace_reader.ts";

const FIXTURES = new URL("./testdata/traces/", import.meta.url).pathname;

async function arrivals(
  source: { next(): Promise<readonly { arrivalMs: number }[]> | readonly { arrivalMs: number }[] },
): Promise<number[]> {
  const out: number[] = [];
  for (;;) {
    const batch = await source.next();
    if (batch.length === 0) return out;
    for (const r of batch) out.push(r.arrivalMs);
  }
}

Deno.test("rateScaledTrace: a requested rate scales the trace's arrival times", async () => {
  // vidur_small: 4 requests over 10.5 s → 3 / 10.5 req/s.
  const options = { path: FIXTURES + "vidur_small.csv", format: "vidur" as const };
  const stats = await scanTrace(options);
  const trace = rateScaledTrace(options, stats);
  equal(trace.nominalRatePerS, 3 / 10.5);
  equal(trace.rateScaleFor(trace.nominalRatePerS), 1);
  equal(trace.rateScaleFor(2 * trace.nominalRatePerS), 2);
  const base = await arrivals(trace.makeWorkload({ ratePerS: trace.nominalRatePerS }));
  const fast = await arrivals(trace.makeWorkload({ ratePerS: 3 * trace.nominalRatePerS }));
  equal(fast.length, 4);
  for (let i = 0; i < base.length; i++) equal(Math.abs(fast[i] * 3 - base[i]) < 1e-9, true);
});

Deno.test("rateScaledTrace: the rounded nominal rate replays the options unchanged", async () => {
  const options = { path: FIXTURES + "vidur_small.csv", format: "vidur" as const, rateScale: 1.7 };
  const stats = await scanTrace(options);
  const rounded = Number(offeredRate(options, stats).toFixed(3));
  const trace = rateScaledTrace(options, stats, rounded);
  equal(trace.rateScaleFor(rounded), 1.7);
  equal(trace.rateScaleFor(2 * trace.nominalRatePerS), 3.4);
});

Deno.test("rateScaledTrace: a length-only trace scales its Poisson rate", async () => {
  const options = {
    path: FIXTURES + "lengths_small.csv",
    format: "lengths" as const,
    ratePerS: 5,
  };
  const trace = rateScaledTrace(options, await scanTrace(options));
  equal(trace.nominalRatePerS, 5);
  equal(trace.rateScaleFor(20), 4);
});

Deno.test("rateScaledTrace: arrivals at one instant have no rate to scale", async () => {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    await Deno.writeTextFile(
      path,
      "arrived_at,num_prefill_tokens,num_decode_tokens\n2,10,2\n2,10,2\n",
    );
    const options = { path, format: "vidur" as const };
    const stats = await scanTrace(options);
    throws(() => rateScaledTrace(options, stats), /must offer a positive rate, got 0/);
    throws(() => rateScaledTrace({ path, format: "auto" }, stats), /'format'/);
  } finally {
    await Deno.remove(path);
  }
});
