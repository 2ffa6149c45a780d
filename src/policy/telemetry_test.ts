import { equal, notEqual } from "node:assert/strict";
import { createDecision, Role } from "../core/types.ts";
import { FleetState } from "../testing/fleet.ts";
import { createTelemetry } from "./telemetry.ts";
import { context, pdFleet, request } from "../testing/fleet.ts";

Deno.test("telemetry: a burst spreads over decode workers via the snapshot's in-flight KV", () => {
  // The snapshot owner counts a routed request's KV on its decode worker at dispatch
  // (kvWaitingTokens); telemetry reads it, so the second request of a burst sees the first.
  for (const accounted of [true, false]) {
    const fleet = pdFleet(1, 2);
    const p = createTelemetry({}, context());
    p.prepare(fleet.n);
    const out = createDecision();
    p.route(fleet, request([1, 2], 1000, 1000), out);
    const first = out.decode;
    if (accounted) {
      fleet.kvWaitingTokens[first] += 2000;
      fleet.refresh(first);
    }
    p.route(fleet, request([3, 4], 1000, 1000), out);
    if (accounted) notEqual(out.decode, first, "the second request should see the first one");
    else equal(out.decode, first, "without in-flight accounting both see the same idle worker");
  }
});

function congested(): FleetState {
  const fleet = pdFleet(1, 2);
  fleet.queuedPrefillTokens[0] = 100_000; // 2.5 s of prefill work queued
  fleet.refresh(0);
  return fleet;
}

Deno.test("telemetry: a congested prefill pool hands the prompt to a decode worker", () => {
  const fleet = congested();
  const p = createTelemetry({}, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1, 2], 2000), out);
  equal(out.prefill, -1);
  notEqual(out.decode, -1);
  const off = createTelemetry({ localPrefill: "off" }, context());
  off.prepare(fleet.n);
  off.route(fleet, request([1, 2], 2000), out);
  equal(out.prefill, 0, "localPrefill off keeps the prefill pool");
});

Deno.test("telemetry: local prefill needs TPOT headroom on the decode worker", () => {
  const fleet = congested();
  fleet.tpotMs[1] = fleet.tpotMs[2] = 45; // above 0.75 × the 50 ms SLO
  const p = createTelemetry({}, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1, 2], 2000), out);
  equal(out.prefill, 0);
  fleet.tpotMs[2] = 20; // worker 2 has headroom
  p.route(fleet, request([1, 2], 2000), out);
  equal(out.prefill, -1);
  equal(out.decode, 2);
});

Deno.test("telemetry: pressure rule: local prefill only when the prefill pool is under more pressure", () => {
  // Prefill pool: (20k queued + 2k) × 0.025 ms = 550 ms = 0.55 of the 1000 ms TTFT SLO.
  const fleet = pdFleet(1, 2);
  fleet.queuedPrefillTokens[0] = 20_000;
  fleet.refresh(0);
  fleet.tpotMs[1] = fleet.tpotMs[2] = 30; // 0.6 of the 50 ms TPOT SLO: more pressure
  const p = createTelemetry({}, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1, 2], 2000), out);
  equal(out.prefill, 0, "the decode workers are closer to their SLO than the prefill pool");
  fleet.tpotMs[2] = 20; // 0.4 < 0.55
  p.route(fleet, request([1, 2], 2000), out);
  equal(out.prefill, -1);
  equal(out.decode, 2);
  fleet.tpotMs[2] = 30;
  const off = createTelemetry({ localPrefillPressure: 0 }, context());
  off.prepare(fleet.n);
  off.route(fleet, request([1, 2], 2000), out);
  equal(out.prefill, -1, "without the rule only the TPOT gate (37.5 ms) applies");
});

Deno.test("telemetry: local prefill prefers the decode worker holding the prompt", () => {
  const fleet = congested();
  fleet.prefix.insert(2, new Uint32Array([1, 2, 3, 4]));
  const p = createTelemetry({}, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1, 2, 3, 4, 5], 80), out);
  equal(out.prefill, -1);
  equal(out.decode, 2);
});

Deno.test("telemetry: an idle prefill pool is used even when decode workers are idle", () => {
  const fleet = pdFleet(1, 2);
  const p = createTelemetry({}, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1, 2], 2000), out);
  equal(out.prefill, 0);
});

Deno.test("telemetry: without a prefill worker the decode worker prefills", () => {
  const fleet = new FleetState([Role.Decode, Role.Decode], 100_000, 16);
  const p = createTelemetry({}, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1, 2]), out);
  equal(out.prefill, -1);
  notEqual(out.decode, -1);
});

Deno.test("telemetry: lateRequests = concentrate queues a late request behind late work", () => {
  // Budget 0.8 × 1000 ms. Worker 0 is 2 s behind; worker 1 has 700 ms queued, so a 400 ms
  // prompt (16k tokens × 0.025 ms) is late on both.
  const fleet = pdFleet(2, 1);
  fleet.queuedPrefillTokens[0] = 80_000;
  fleet.queuedPrefillTokens[1] = 28_000;
  fleet.refresh(0);
  fleet.refresh(1);
  const out = createDecision();
  const spread = createTelemetry({ localPrefill: "off" }, context());
  spread.prepare(fleet.n);
  spread.route(fleet, request([1], 16_000), out);
  equal(out.prefill, 1, "spread: the fastest worker");
  const conc = createTelemetry({ localPrefill: "off", lateRequests: "concentrate" }, context());
  conc.prepare(fleet.n);
  conc.route(fleet, request([1], 16_000), out);
  equal(out.prefill, 0, "concentrate: the worker that is late already");
  conc.route(fleet, request([2], 1_000), out); // 725 ms on worker 1: on time
  equal(out.prefill, 1, "an on-time request still takes the fastest worker");
});
