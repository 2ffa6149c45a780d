import { equal } from "node:assert/strict";
import { createDecision, Reason, Role } from "../core/types.ts";
import { FleetState } from "../testing/fleet.ts";
import { createLeastLoaded } from "./least_loaded.ts";
import { context, pdFleet, request } from "../testing/fleet.ts";

Deno.test("least-loaded: fewest queued prefill tokens, least committed decode KV", () => {
  const fleet = pdFleet(3, 2, 1000);
  fleet.queuedPrefillTokens[0] = 500;
  fleet.queuedPrefillTokens[1] = 100;
  fleet.queuedPrefillTokens[2] = 300;
  fleet.kvUsedTokens[3] = 200;
  fleet.kvWaitingTokens[4] = 300; // waiting KV counts as committed
  for (let w = 0; w < 5; w++) fleet.refresh(w);
  const p = createLeastLoaded({}, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1]), out);
  equal(out.prefill, 1);
  equal(out.decode, 3);
  equal(out.reason, Reason.Load);
});

Deno.test("least-loaded: without a prefill worker the decode worker prefills", () => {
  const fleet = new FleetState([Role.Decode, Role.Decode], 1000, 16);
  const p = createLeastLoaded({}, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1]), out);
  equal(out.prefill, -1);
  equal(out.decode, 0);
});
