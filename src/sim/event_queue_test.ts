import { deepEqual, equal } from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { EventQueue } from "./event_queue.ts";

Deno.test("EventQueue pops by time, then by push order, under interleaved push/pop", () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.integer({ min: 0, max: 30 }), fc.constant(-1)), { maxLength: 500 }),
      (ops) => {
        const q = new EventQueue();
        const model: { time: number; seq: number }[] = [];
        let seq = 0;
        for (const op of ops) {
          if (op >= 0) {
            q.push(op, 1, seq, 0);
            model.push({ time: op, seq: seq++ });
          } else if (model.length > 0) {
            model.sort((a, b) => a.time - b.time || a.seq - b.seq);
            const want = model.shift()!;
            equal(q.pop(), true);
            deepEqual([q.time, q.a], [want.time, want.seq]);
          } else {
            equal(q.pop(), false);
          }
          equal(q.size, model.length);
        }
      },
    ),
    { seed: 11, numRuns: 200 },
  );
});

Deno.test("EventQueue carries payloads and reports the next time", () => {
  const q = new EventQueue();
  equal(q.peekTime(), Infinity);
  q.push(3.5, 7, -2, 9);
  equal(q.peekTime(), 3.5);
  q.pop();
  deepEqual([q.time, q.kind, q.a, q.b], [3.5, 7, -2, 9]);
});
