import { deepEqual } from "node:assert/strict";
import { EventQueue } from "./event_queue.ts";
import { FrontEnds } from "./_front_end.ts";

Deno.test("front ends: one tokeniser per worker, first come first served", () => {
  const q = new EventQueue();
  const fe = new FrontEnds(2, q, 9);
  fe.submit(0, 0, 5, 100); // worker 0: 0 → 5
  fe.submit(0, 1, 5, 101); // queued behind it: 5 → 10
  fe.submit(1, 1, 2, 102); // worker 1 is free: 1 → 3
  fe.submit(0, 20, 1, 103); // worker 0 idle again: 20 → 21
  const out: number[][] = [];
  while (q.peekTime() !== Infinity) {
    q.pop();
    out.push([q.time, q.kind, q.a]);
  }
  deepEqual(out, [[3, 9, 102], [5, 9, 100], [10, 9, 101], [21, 9, 103]]);
});

Deno.test("front ends: a held flight is ready when its worker's tokeniser is through", () => {
  const q = new EventQueue();
  const fe = new FrontEnds(1, q, 9);
  deepEqual(fe.readyAtMs(500), 0);
  fe.submit(0, 0, 5, 1); // 0 → 5
  fe.hold(0, 2, 3, 200); // queued behind it: 5 → 8 (slot 200 grows the table)
  fe.hold(0, 20, 1, 3); // 20 → 21
  deepEqual([fe.readyAtMs(200), fe.readyAtMs(3), q.peekTime()], [8, 21, 5]);
});
