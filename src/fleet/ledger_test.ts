import { equal, throws } from "node:assert/strict";
import { Role } from "../core/types.ts";
import { FleetState } from "./fleet_state.ts";
import { DispatchLedger, LedgerStage } from "./ledger.ts";
import { Smoother } from "./smoother.ts";

function fleet(): FleetState {
  return new FleetState([Role.Prefill, Role.Decode, Role.Decode, Role.Both], 10_000, 16);
}

function zero(f: FleetState): void {
  for (let w = 0; w < f.n; w++) {
    equal(f.inflight[w], 0, `inflight[${w}]`);
    equal(f.queuedPrefillTokens[w], 0, `queuedPrefillTokens[${w}]`);
    equal(f.kvWaitingTokens[w], 0, `kvWaitingTokens[${w}]`);
  }
}

Deno.test("ledger: a request's life counts and releases each signal once", () => {
  const f = fleet();
  const l = new DispatchLedger(f);
  const id = l.dispatch(0, 0, 1, 500, 800);
  equal(f.inflight[0], 1);
  equal(f.inflight[1], 1);
  equal(f.queuedPrefillTokens[0], 500);
  equal(f.kvWaitingTokens[1], 800);
  equal(f.decodeLoad.key(1), 0, "keys move on flush");
  f.flush();
  equal(f.decodeLoad.key(1), 800 / 10_000, "the load index sees committed KV");
  l.prefillStarted(id, 300); // the engine found 200 tokens cached
  equal(f.queuedPrefillTokens[0], 300);
  l.prefillProgress(id, 100);
  equal(f.queuedPrefillTokens[0], 200);
  l.prefillDone(id, 10);
  equal(l.stage(id), LedgerStage.PrefillDone);
  equal(f.inflight[0], 0);
  equal(f.queuedPrefillTokens[0], 0, "what was left of the estimate is released");
  l.kvAdmitted(id, 1);
  equal(f.kvWaitingTokens[1], 0);
  l.firstToken(id, 20);
  equal(l.stage(id), LedgerStage.FirstToken);
  l.moved(id, 2);
  equal(f.inflight[1], 0);
  equal(f.inflight[2], 1);
  l.complete(id, 30);
  equal(l.size, 0);
  zero(f);
});

Deno.test("ledger: fail and expire release whatever a request still held", () => {
  const f = fleet();
  const l = new DispatchLedger(f, { ttlMs: 1000 });
  const a = l.dispatch(0, 3, 1, 400, 600); // colocated worker 3 prefills for decode worker 1
  l.commitPrefillKv(a, 400);
  equal(f.kvWaitingTokens[3], 400);
  const b = l.dispatch(500, 0, 2, 100, 200);
  l.fail(a);
  equal(f.inflight[3], 0);
  equal(f.kvWaitingTokens[3], 0);
  equal(f.kvWaitingTokens[1], 0);
  equal(l.expire(1400), 0, "b is 900 ms old");
  equal(l.expire(1501), 1, "b is past its TTL");
  equal(l.stage(b), LedgerStage.Free);
  zero(f);
  l.fail(b); // a second release is a no-op
  zero(f);
  throws(() => new DispatchLedger(f, { ttlMs: 0 }), /ttlMs/);
});

Deno.test("ledger: entries are reused and the tables grow past their first size", () => {
  const f = fleet();
  const l = new DispatchLedger(f);
  const ids: number[] = [];
  for (let i = 0; i < 200; i++) ids.push(l.dispatch(i, 0, 1, 1, 2));
  equal(f.inflight[1], 200);
  for (const id of ids) l.complete(id, 1000);
  zero(f);
  equal(l.dispatch(0, 0, 1, 1, 2) < 200, true, "a freed id is reused");
});

Deno.test("smoother: first sample taken as is, then an EWMA; alpha validated", () => {
  const v = new Float64Array(1);
  const s = new Smoother(v, 0.25);
  s.observe(0, 80);
  equal(v[0], 80);
  s.observe(0, 160);
  equal(v[0], 100);
  throws(() => new Smoother(v, 0), /alpha/);
  throws(() => new Smoother(v, 1.5), /alpha/);
});
