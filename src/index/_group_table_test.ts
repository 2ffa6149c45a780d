import { equal } from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { GroupTable, LANE_BITS } from "./_group_table.ts";

// Drives the table the way the prefix index does (find, claim, set and clear lanes)
// and compares every key with a Map.
Deno.test("GroupTable behaves like a Map from (id, k2) under random set/clear/get", () => {
  const lanes = 1 << LANE_BITS;
  const op = fc.record({
    kind: fc.constantFrom("set", "set", "clear", "get"),
    id: fc.integer({ min: 0, max: 80 }),
    k2: fc.integer({ min: 0, max: 3 }),
    v: fc.integer({ min: 0, max: 1000 }),
  });
  fc.assert(
    fc.property(fc.array(op, { maxLength: 500 }), (ops) => {
      const table = new GroupTable(2); // tiny: growth and wrap-around happen early
      const model = new Map<string, number>();
      for (const o of ops) {
        const key = `${o.id},${o.k2}`;
        const hi = o.id >>> LANE_BITS, lane = o.id & (lanes - 1);
        if (o.kind === "set") {
          table.reserve();
          let s = table.find(hi, o.k2);
          if (s < 0) s = table.claim(s, hi, o.k2);
          table.setLane(s, lane, o.v);
          model.set(key, o.v);
        } else if (o.kind === "clear") {
          const s = table.find(hi, o.k2);
          if (s >= 0 && table.has(s, lane)) table.clearLane(s, lane);
          model.delete(key);
        }
        equal(table.get(o.id, o.k2), model.get(key) ?? -1, `${o.kind} ${key}`);
      }
      const groups = new Set([...model.keys()].map((k) => {
        const [id, k2] = k.split(",").map(Number);
        return `${id >>> LANE_BITS},${k2}`;
      }));
      equal(table.size, groups.size);
      for (const [k, v] of model) {
        const [id, k2] = k.split(",").map(Number);
        equal(table.get(id, k2), v);
      }
    }),
    { numRuns: 300 },
  );
});
