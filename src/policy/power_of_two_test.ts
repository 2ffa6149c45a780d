import { equal, ok } from "node:assert/strict";
import { createDecision } from "../core/types.ts";
import { createPowerOfTwo } from "./power_of_two.ts";
import { context, pdFleet, request } from "../testing/fleet.ts";

Deno.test("power-of-two: of two distinct random picks, the less loaded wins", () => {
  const fleet = pdFleet(4, 1);
  for (let w = 0; w < 4; w++) {
    fleet.queuedPrefillTokens[w] = [400, 100, 300, 200][w];
    fleet.refresh(w);
  }
  // Draws pick member i = ⌊u·4⌋, then j = ⌊v·3⌋, shifted past i: (0.1, 0.7) → members 0
  // and 3 → 200 < 400 → 3; (0.9, 0.4) → members 3 and 1 → 100 < 200 → 1.
  for (const [draws, expected] of [[[0.1, 0.7], 3], [[0.9, 0.4], 1]] as const) {
    const p = createPowerOfTwo({}, context([...draws]));
    p.prepare(fleet.n);
    const out = createDecision();
    p.route(fleet, request([1]), out);
    equal(out.prefill, expected, `draws ${draws}`);
  }
});

Deno.test("power-of-two: never picks the most loaded worker of three, whatever the draws", () => {
  const fleet = pdFleet(3, 1);
  fleet.queuedPrefillTokens[1] = 1000;
  fleet.refresh(1);
  for (let i = 0; i < 100; i++) {
    const u = i / 100, v = ((i * 37) % 100) / 100;
    const p = createPowerOfTwo({}, context([u, v]));
    p.prepare(fleet.n);
    const out = createDecision();
    p.route(fleet, request([1]), out);
    ok(out.prefill !== 1, `draws ${u}, ${v} picked the loaded worker`);
  }
});
