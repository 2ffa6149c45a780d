import { equal } from "node:assert/strict";
import { createDecision, Reason, Role } from "../src/core/types.ts";
import type { RouteRequest } from "../src/core/types.ts";
import { FleetState } from "../src/fleet/fleet_state.ts";
import { createTelemetry } from "../src/policy/telemetry.ts";
import type { PolicyConfig } from "../src/policy/types.ts";

const CTX = { random: () => 0.5, sloTtftMs: 1000, sloTpotMs: 50, prefillMsPerToken: 0.025 };
// 2 × SLO of queued work: the default prefill threshold, in tokens.
const THRESHOLD_TOKENS = (2 * CTX.sloTtftMs) / CTX.prefillMsPerToken;
const BLOCKS = new Uint32Array([1, 2, 3, 4, 5, 6, 7, 8]);

function request(priority = 0): RouteRequest {
  return {
    id: 1,
    promptTokens: 8 * 16,
    outputTokens: 10,
    maxTokens: 10,
    blocks: BLOCKS,
    priority,
    sessionId: -1,
  };
}

/** Workers 0..2 prefill, 3..5 decode. */
function fleet(): FleetState {
  const roles = [Role.Prefill, Role.Prefill, Role.Prefill, Role.Decode, Role.Decode, Role.Decode];
  return new FleetState(roles, 100_000, 16);
}

// Thresholds are about the pools themselves: local prefill on decode workers (which can
// absorb a congested prefill pool) is off here and tested on its own below.
function route(f: FleetState, config: PolicyConfig = {}, priority = 0) {
  const p = createTelemetry({ localPrefill: "off", ...config }, CTX);
  p.prepare(f.n);
  const out = createDecision();
  p.route(f, request(priority), out);
  return out;
}

function setQueued(f: FleetState, w: number, tokens: number) {
  f.queuedPrefillTokens[w] = tokens;
  f.refresh(w);
}

function setKv(f: FleetState, w: number, frac: number) {
  f.kvUsedTokens[w] = frac * f.kvCapacityTokens[w];
  f.refresh(w);
}

Deno.test("telemetry prefers the prefill worker holding the prompt's blocks when loads are equal", () => {
  const f = fleet();
  f.prefix.insert(2, BLOCKS);
  const out = route(f);
  equal(out.prefill, 2);
  equal(out.reason, Reason.Prefix);
});

Deno.test("telemetry sends prefill where the uncached work finishes first", () => {
  const f = fleet();
  f.prefix.insert(2, BLOCKS); // saves 127 tokens of compute on worker 2 ...
  setQueued(f, 2, 20_000); // ... but worker 2 has far more queued work
  setQueued(f, 0, 5_000);
  setQueued(f, 1, 1_000);
  equal(route(f).prefill, 1);
});

Deno.test("a prefill worker over its threshold is not eligible while another is", () => {
  const f = fleet();
  f.prefix.insert(1, BLOCKS);
  setQueued(f, 0, THRESHOLD_TOKENS * 3);
  setQueued(f, 1, THRESHOLD_TOKENS * 1.01); // holds the prefix, but over the threshold
  setQueued(f, 2, THRESHOLD_TOKENS * 0.99);
  equal(route(f).prefill, 2);
});

Deno.test("when every prefill worker is over threshold: queue by default, shed low priority when configured", () => {
  const f = fleet();
  for (const w of [0, 1, 2]) setQueued(f, w, THRESHOLD_TOKENS * (2 + w));
  const queued = route(f);
  equal(queued.reason, Reason.Queued);
  equal(queued.prefill, 0, "the least-loaded worker");
  const shed = route(f, { overload: "shed" }, 0);
  equal(shed.decode, -1);
  equal(shed.reason, Reason.Shed);
  const important = route(f, { overload: "shed" }, 1);
  equal(important.reason, Reason.Queued, "priority ≥ shedBelowPriority is queued, not shed");
  equal(important.prefill, 0);
});

Deno.test("a decode worker over its KV threshold is not eligible while another is", () => {
  const f = fleet();
  setKv(f, 3, 0.95);
  setKv(f, 4, 0.93);
  setKv(f, 5, 0.89);
  equal(route(f).decode, 5);
});

Deno.test("the decode score never favours the busiest worker (the original lab's failure)", () => {
  const f = fleet();
  setKv(f, 3, 0.8);
  setKv(f, 4, 0.1);
  setKv(f, 5, 0.5);
  for (const w of [3, 4, 5]) f.running[w] = Math.round(f.kvUsedTokens[w] / 1000);
  f.tpotMs[3] = 45;
  f.tpotMs[4] = 20;
  f.tpotMs[5] = 30;
  equal(route(f).decode, 4);
});

Deno.test("unhealthy workers are skipped even when idle", () => {
  const f = fleet();
  setQueued(f, 1, 50_000);
  setQueued(f, 2, 60_000);
  f.setHealthy(0, false);
  f.setHealthy(4, false);
  setKv(f, 3, 0.5);
  setKv(f, 5, 0.6);
  const out = route(f);
  equal(out.prefill, 1);
  equal(out.decode, 3);
});

Deno.test("with local prefill on, a congested prefill pool hands the prompt to a decode worker", () => {
  const f = fleet();
  for (const w of [0, 1, 2]) setQueued(f, w, THRESHOLD_TOKENS * (2 + w));
  const out = route(f, { localPrefill: "auto" });
  equal(out.prefill, -1, "the decode worker prefills locally");
  equal(f.role[out.decode], Role.Decode);
});
