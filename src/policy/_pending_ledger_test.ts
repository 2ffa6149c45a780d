import { equal, throws } from "node:assert/strict";
import { PendingLedger } from "./_pending_ledger.ts";

Deno.test("PendingLedger: entries count until they expire, in expiry order", () => {
  const l = new PendingLedger(3, 8);
  l.add(0, 5, 30);
  l.add(0, 7, 10);
  l.add(2, 1, 20);
  equal(l.pending(0), 12);
  l.expire(10);
  equal(l.pending(0), 5);
  equal(l.pending(2), 1);
  l.expire(25);
  equal(l.pending(2), 0);
  equal(l.size, 1);
  l.clear();
  equal(l.pending(0), 0);
  equal(l.size, 0);
});

Deno.test("PendingLedger: when full, the entry due first is applied early", () => {
  const l = new PendingLedger(2, 2);
  l.add(0, 1, 100);
  l.add(1, 2, 50);
  l.add(0, 4, 200); // evicts the entry due at 50
  equal(l.pending(1), 0);
  equal(l.pending(0), 5);
  equal(l.size, 2);
});

Deno.test("PendingLedger: rejects bad sizes", () => {
  throws(() => new PendingLedger(0, 4), /'workers' must be a positive integer, got 0/);
  throws(() => new PendingLedger(2, 1.5), /'capacity' must be a positive integer/);
});
