import { ok } from "node:assert/strict";
import { ScaledClock } from "../clock.ts";
import { PreciseTimer, TimeoutTimer } from "./deadline_timer.ts";

for (const [name, make] of [["precise", PreciseTimer], ["setTimeout", TimeoutTimer]] as const) {
  Deno.test(`deadline timer (${name}): fires once, never before its deadline; re-arm wins`, async () => {
    const clock = new ScaledClock(4);
    const fired: number[] = [];
    let wake = () => {};
    const timer = new make(clock, () => {
      fired.push(clock.nowMs());
      wake();
    });
    try {
      const a = clock.nowMs() + 40;
      timer.arm(a + 400); // replaced before it is due
      timer.arm(a);
      await new Promise<void>((r) => wake = r);
      ok(fired.length === 1 && fired[0] >= a, `fired at ${fired[0]}, due ${a}`);
      timer.arm(clock.nowMs() + 20);
      timer.disarm();
      await new Promise((r) => setTimeout(r, 30));
      ok(fired.length === 1, "a disarmed timer stays quiet");
    } finally {
      timer.close();
    }
  });
}
