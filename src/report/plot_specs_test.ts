import { deepEqual, equal, ok } from "node:assert/strict";
import { createRequestRecord } from "../core/record.ts";
import { Role } from "../core/types.ts";
import { SAMPLE_FIELDS, SampleField } from "../metrics/fleet_sample.ts";
import { plotSpecs } from "./plot_specs.ts";
import { ReportBuilder, type ReportData } from "./report_data.ts";
import { heatDomain } from "./_plot_time.ts";

const SLO = { ttftMs: [500], tpotMs: [30] };
/** Eight policies, as `--policies all` compares (report/ does not import policy/). */
const EIGHT = [
  "round-robin",
  "telemetry",
  "least-loaded",
  "power-of-two",
  "llm-d",
  "dynamo",
  "sglang",
  "aibrix",
];
const policyNames = () => EIGHT;

/** Plot data of `policies` in each of `runs`: TPOT from 5 to 800 ms, queues, one spike. */
function data(runs: readonly string[], policies: readonly string[]): ReportData {
  const b = new ReportBuilder(100);
  const r = createRequestRecord();
  const roles = [Role.Prefill, Role.Prefill, Role.Decode, Role.Decode];
  const values = new Float64Array(roles.length * SAMPLE_FIELDS);
  policies.forEach((policy, p) =>
    runs.forEach((run) => {
      const s = b.series(run, policy);
      b.setFleet(s, roles);
      for (let i = 1; i <= 200; i++) {
        Object.assign(r, { ttftMs: 10 * i, tpotMs: i < 190 ? 5 + i / 10 : 800, outputTokens: 9 });
        b.addRequest(s, r);
      }
      for (let t = 0; t < 50; t++) {
        values.fill(0);
        for (let w = 0; w < roles.length; w++) {
          const k = w * SAMPLE_FIELDS;
          values[k + SampleField.Queued] = (t + w) % 3;
          // One policy's single spike: 10^6 queued tokens once.
          values[k + SampleField.QueuedPrefillTokens] = p === 0 && t === 7 ? 1e6 : 100 + t;
          values[k + SampleField.KvUsedTokens] = 10 * t;
          values[k + SampleField.KvCapacityTokens] = 1000;
        }
        b.addSample(s, t * 100, values, 0);
      }
    })
  );
  return b.build();
}

// deno-lint-ignore no-explicit-any
type Spec = any;

function byId(d: ReportData): Record<string, Spec> {
  return Object.fromEntries(plotSpecs(d, SLO).map((p) => [p.id, p.spec]));
}

Deno.test("plots: a TTFT/TPOT tail plot on log axes, and log latency axes throughout", () => {
  const plots = plotSpecs(data(["run"], policyNames()), SLO);
  deepEqual(plots.map((p) => p.id), [
    "ttft_cdf",
    "tpot_cdf",
    "latency_tail",
    "queue_depth",
    "kv_usage",
    "migrations",
    "worker_load",
  ]);
  const spec = byId(data(["run"], policyNames()));
  // TPOT runs from 5 to 800 ms here: a linear axis would crush every curve.
  equal(spec.tpot_cdf.layer[0].encoding.x.scale.type, "log");
  equal(spec.ttft_cdf.layer[0].encoding.x.scale.type, "log");
  for (const panel of spec.latency_tail.hconcat) {
    const enc = panel.layer[0].encoding;
    equal(enc.x.scale.type, "log");
    equal(enc.y.scale.type, "log");
    deepEqual(enc.y.scale.domain, [1e-4, 1]);
    const shares = panel.layer[0].data.values.map((v: { share: number }) => v.share);
    ok(shares.length > 0 && Math.min(...shares) >= 1e-4 - 1e-12 && Math.max(...shares) <= 1);
  }
});

Deno.test("plots: time series are small multiples, a panel per policy, one scale per run", () => {
  const names = policyNames();
  const spec = byId(data(["run"], names));
  for (const id of ["queue_depth", "kv_usage"]) {
    equal(spec[id].facet.field, "policy", `${id}: a panel per policy`);
    deepEqual(spec[id].facet.sort, names);
    equal(spec[id].columns, 4);
    equal(spec[id].spec.encoding.color.field, "pool", `${id}: a line per pool`);
    equal(spec[id].resolve.scale.y, "shared");
  }
  // Two runs: a block each, with scales of their own.
  const two = byId(data(["a", "b"], names.slice(0, 3)));
  equal(two.queue_depth.vconcat.length, 2);
  equal(two.queue_depth.resolve.scale.y, "independent");
});

Deno.test("plots: overlaid runs keep policy colours and tell runs apart by dash", () => {
  const spec = byId(data(["a", "b"], policyNames()));
  const enc = spec.ttft_cdf.layer[0].encoding;
  equal(enc.color.field, "policy");
  equal(enc.color.scale.domain.length, policyNames().length, "8 colours, not 16");
  equal(enc.strokeDash.field, "run");
  deepEqual(enc.strokeDash.scale.domain, ["a", "b"]);
  const one = byId(data(["a"], policyNames())).ttft_cdf.layer[0].encoding;
  equal(one.strokeDash, undefined, "one run: colours alone");
});

Deno.test("plots: the prefill heat scale tops out at the 95th percentile, not one spike", () => {
  const [lo, hi] = heatDomain([...Array.from({ length: 99 }, (_, i) => i + 1), 1e6]);
  equal(lo, 0);
  ok(hi < 100, `domain top ${hi}`);
  deepEqual(heatDomain([]), [0, 1]);
  const spec = byId(data(["run"], policyNames())).worker_load;
  const prefill = spec.vconcat[0].spec.encoding.color.scale;
  ok(prefill.clamp && prefill.domain[1] < 1e6, `prefill domain ${prefill.domain}`);
});
