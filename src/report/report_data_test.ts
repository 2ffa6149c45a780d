import { equal, ok, throws } from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { createRequestRecord, ShedReason } from "../core/record.ts";
import { Role } from "../core/types.ts";
import { SAMPLE_FIELDS } from "../metrics/fleet_sample.ts";
import { LogHistogram } from "../metrics/histogram.ts";
import { CDF_QUANTILES, HEAT_COLUMNS, POOL_POINTS, ReportBuilder } from "./report_data.ts";

Deno.test("CDFs are the histogram's quantiles: non-decreasing, min to max", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0.01, max: 1e5, noNaN: true }), { minLength: 1 }),
      (xs) => {
        const b = new ReportBuilder(100);
        const s = b.series("run", "p");
        const h = new LogHistogram();
        const r = createRequestRecord();
        for (const x of xs) {
          Object.assign(r, { ttftMs: x, tpotMs: x / 10, outputTokens: 2, e2eMs: x });
          b.addRequest(s, r);
          h.add(x);
        }
        const cdf = b.build().series[0].ttftCdf;
        equal(cdf.length, CDF_QUANTILES.length);
        equal(cdf[0].valueMs, h.min);
        equal(cdf[cdf.length - 1].valueMs, h.max);
        equal(cdf[cdf.length - 1].q, 1);
        for (let i = 1; i < cdf.length; i++) {
          ok(cdf[i].valueMs >= cdf[i - 1].valueMs && cdf[i].q > cdf[i - 1].q);
        }
      },
    ),
  );
});

Deno.test("shed requests and one-token outputs stay out of the CDFs", () => {
  const b = new ReportBuilder(100);
  const s = b.series("run", "p");
  const r = createRequestRecord();
  b.addRequest(s, { ...r, shedReason: ShedReason.Overload });
  b.addRequest(s, { ...r, ttftMs: 7, outputTokens: 1, e2eMs: 7 });
  const [d] = b.build().series;
  equal(d.requests, 2);
  equal(d.ttftCdf.at(-1)!.valueMs, 7);
  equal(d.tpotCdf.length, 0);
});

Deno.test("pool points and heat cells average the samples, in bounded numbers", () => {
  const b = new ReportBuilder(10);
  const s = b.series("run", "p");
  b.setFleet(s, [Role.Prefill, Role.Decode, Role.Decode]);
  const values = new Float64Array(3 * SAMPLE_FIELDS);
  const samples = 50_000;
  for (let i = 0; i < samples; i++) {
    // worker 0: queued alternates 0/2; workers 1, 2: KV 100 and 300 of 1000.
    values.set([i % 2 ? 2 : 0, 1, 64, 0, 1000], 0);
    values.set([0, 4, 0, 100, 1000], SAMPLE_FIELDS);
    values.set([1, 4, 0, 300, 1000], 2 * SAMPLE_FIELDS);
    b.addSample(s, i * 10, values, 0);
  }
  const [d] = b.build().series;
  const prefill = d.pools.filter((p) => p.pool === "prefill");
  const decode = d.pools.filter((p) => p.pool === "decode");
  ok(prefill.length <= POOL_POINTS && prefill.length > POOL_POINTS / 2);
  equal(decode.length, prefill.length);
  for (const p of prefill) equal(p.queued, 1);
  for (const p of decode) {
    equal(p.queued, 1);
    equal(p.running, 8);
    equal(p.kvUsageFrac, 0.2);
  }
  ok(d.heat.length <= HEAT_COLUMNS * 3);
  for (const c of d.heat) {
    equal(c.value, c.worker === 0 ? 64 : c.worker === 1 ? 0.1 : 0.3);
  }
  const end = d.heat.reduce((m, c) => Math.max(m, c.tMs + c.widthMs), 0);
  ok(end >= samples * 10);
});

Deno.test("migrations accumulate to their count and run to the end of the samples", () => {
  const b = new ReportBuilder(100);
  const s = b.series("run", "p");
  b.setFleet(s, [Role.Prefill, Role.Decode]);
  b.addSample(s, 5000, new Float64Array(2 * SAMPLE_FIELDS), 0);
  for (const t of [120, 130, 2500]) b.addMigration(s, t);
  const m = b.build().series[0].migrations;
  equal(m[0].cumulative, 0);
  equal(m.at(-1)!.cumulative, 3);
  ok(m.at(-1)!.tMs >= 5000);
  for (let i = 1; i < m.length; i++) ok(m[i].cumulative >= m[i - 1].cumulative);
});

Deno.test("series are named by policy, or by run and policy when runs differ", () => {
  const b = new ReportBuilder(100);
  equal(b.series("a", "rr"), 0);
  equal(b.series("a", "rr"), 0);
  b.series("a", "tel");
  equal(b.build().series.map((s) => s.name).join(), "rr,tel");
  b.series("b", "rr");
  equal(b.build().series.map((s) => s.name).join(), "a · rr,a · tel,b · rr");
});

Deno.test("ReportBuilder rejects samples without a fleet and mismatched layouts", () => {
  const b = new ReportBuilder(100);
  const s = b.series("run", "p");
  throws(() => b.addSample(s, 0, new Float64Array(5), 0), /no fleet layout set/);
  b.setFleet(s, [Role.Prefill, Role.Decode]);
  b.setFleet(s, [Role.Prefill, Role.Decode]);
  throws(() => b.setFleet(s, [Role.Decode]), /already has a different layout/);
  throws(
    () => b.addWorkerSample(s, 0, 2, [0, 0, 0, 0, 1]),
    /'worker' must be an integer in \[0, 2\)/,
  );
  throws(() => new ReportBuilder(0), /'sampleMs' must be a positive number, got 0/);
});
