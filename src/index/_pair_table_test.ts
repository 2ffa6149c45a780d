import { equal } from "node:assert/strict";
import fc from "fast-check";
import { PairTable } from "./_pair_table.ts";

Deno.test("PairTable behaves like a Map under random set/delete/get", () => {
  const op = fc.record({
    kind: fc.constantFrom("set", "delete", "get"),
    a: fc.integer({ min: 0, max: 40 }),
    b: fc.integer({ min: 0, max: 3 }),
    v: fc.integer({ min: 0, max: 1000 }),
  });
  fc.assert(
    fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
      const table = new PairTable(4);
      const model = new Map<string, number>();
      for (const o of ops) {
        const key = `${o.a},${o.b}`;
        if (o.kind === "set") {
          table.set(o.a, o.b, o.v);
          model.set(key, o.v);
        } else if (o.kind === "delete") {
          equal(table.delete(o.a, o.b), model.delete(key));
        } else {
          equal(table.get(o.a, o.b), model.get(key) ?? -1);
        }
        equal(table.size, model.size);
      }
      for (const [key, v] of model) {
        const [a, b] = key.split(",").map(Number);
        equal(table.get(a, b), v);
      }
    }),
    { seed: 42, numRuns: 200 },
  );
});

Deno.test("PairTable keeps full 32-bit keys apart", () => {
  const t = new PairTable();
  t.set(0xffffffff, 0, 1);
  t.set(0xffffffff, 1, 2);
  t.set(0x7fffffff, 0, 3);
  equal(t.get(0xffffffff, 0), 1);
  equal(t.get(0xffffffff, 1), 2);
  equal(t.get(0x7fffffff, 0), 3);
  equal(t.get(0, 0), -1);
});
