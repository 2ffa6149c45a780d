import { equal, ok } from "node:assert/strict";
import { ManualClock } from "../../core/clock.ts";
import { createExecutionModel } from "../../model/execution_model.ts";
import { LLAMA3_8B_H100 } from "../../model/presets.ts";
import { Phase } from "../../worker/flight.ts";
import { ManualTimer } from "./_manual_timer.ts";
import { EngineLoop } from "./engine_loop.ts";
import { type Job, JobMode, type JobModeValue, type KvConnector } from "./job.ts";
import { VllmPrefixCache } from "./prefix_cache.ts";

function setup() {
  const model = createExecutionModel(LLAMA3_8B_H100);
  const clock = new ManualClock();
  const timer = new ManualTimer();
  const loop = new EngineLoop({
    model,
    cache: new VllmPrefixCache(16, true),
    capacityTokens: Math.floor(model.kvCapacityTokens / 16) * 16,
    clock,
    timer: (onFire) => {
      timer.onFire = onFire;
      return timer;
    },
  });
  const calls: string[] = [];
  const connector: KvConnector = {
    prepare: (j) => calls.push(`prepare ${j.spec.requestId}`),
    hold: (j) => calls.push(`hold ${j.spec.requestId}`),
    pull: (j, tokens) => calls.push(`pull ${j.spec.requestId} ${tokens}`),
  };
  loop.connector = connector;
  const streamed = new Map<number, number>();
  const done: Job[] = [];
  const sink = {
    tokens: (j: Job, _from: number, to: number) => void streamed.set(j.id, to),
    done: (j: Job) => void done.push(j),
  };
  const submit = (id: string, mode: JobModeValue, prompt = 100, out = 5) =>
    loop.submit({
      requestId: id,
      promptTokens: prompt,
      blocks: new Uint32Array(Math.floor(prompt / 16)).map((_, i) => i + 1),
      outputTokens: out,
      maxTokens: out,
      mode,
      stream: true,
    }, sink);
  /** Runs the loop until `until()` or the timer has nothing left. */
  const runUntil = (until: () => boolean) => {
    for (let i = 0; i < 10_000 && !until(); i++) {
      if (timer.deadlineMs === Infinity) return;
      clock.set(Math.max(clock.nowMs(), timer.deadlineMs));
      timer.fire();
    }
  };
  return { loop, clock, timer, calls, streamed, done, submit, runUntil };
}

Deno.test("engine loop: a prefill for a remote decode engine holds its KV until released", () => {
  const t = setup();
  const job = t.submit("p1", JobMode.Prefill, 400, 1);
  t.runUntil(() => t.done.length > 0);
  equal(job.finish, "length");
  equal(job.emitted, 1, "the prefill step's one token");
  equal(t.streamed.get(job.id), 1);
  equal(t.calls.join(), "hold p1");
  ok(t.loop.kv.gauges.kvUsedTokens[0] === 400, "the prompt's KV is held");
  ok(t.loop.jobs.has(job), "a held job stays on the engine");
  t.loop.run((now) => t.loop.releaseHeld(job, now));
  equal(t.loop.kv.gauges.kvUsedTokens[0], 0);
  ok(!t.loop.jobs.has(job));
});

Deno.test("engine loop: a pulled job decodes after its KV arrives, or fails as told", () => {
  const t = setup();
  const a = t.submit("d1", JobMode.Pull, 100, 4);
  equal(
    t.calls.join(),
    "prepare d1,pull d1 100",
    "the KV is looked up on arrival, pulled on admission",
  );
  equal(a.flight.phase, Phase.Transfer);
  t.clock.advance(5);
  t.loop.run((now) => t.loop.pulled(a, now));
  t.runUntil(() => a.finish !== "");
  equal(a.finish, "length");
  equal(a.emitted, 4);
  ok(a.firstTokenMs > 5, "first token after the KV arrived");

  const b = t.submit("d2", JobMode.Pull, 100, 4);
  t.loop.run((now) => t.loop.pullFailed(b, true, "gone", now));
  t.runUntil(() => b.finish !== "");
  equal(b.finish, "length", "recompute: prefilled here");
  equal(b.emitted, 4);

  const c = t.submit("d3", JobMode.Pull, 100, 4);
  t.loop.run((now) => t.loop.pullFailed(c, false, "gone", now));
  equal(c.finish, "error");
  equal(c.error, "gone");
  equal(t.loop.stats.nixlFailed, 2);
  t.runUntil(() => false);
  equal(t.loop.kv.gauges.kvUsedTokens[0], 0, "every reservation freed");
  equal(t.loop.scheduler.seats, 0);
});

Deno.test("engine loop: an aborted job leaves the queue or the batch and frees its KV", () => {
  const t = setup();
  const long = t.submit("a1", JobMode.Local, 200, 10_000);
  t.runUntil(() => long.emitted >= 3);
  t.loop.abort(long);
  t.runUntil(() => long.finish !== "");
  equal(long.finish, "abort");
  ok(long.emitted < 10_000);
  equal(t.loop.kv.gauges.kvUsedTokens[0], 0);
  equal(t.loop.scheduler.seats, 0);
  equal(t.loop.stats.finished.abort, 1);
  // A job still waiting for admission leaves at once.
  const m = t.loop.model.maxNumSeqs;
  const jobs: Job[] = [];
  for (let i = 0; i <= m; i++) jobs.push(t.submit(`w${i}`, JobMode.Local, 20, 50));
  const waiting = jobs[m];
  t.runUntil(() => waiting.flight.phase === Phase.PrefillQueued);
  equal(waiting.flight.phase, Phase.PrefillQueued, "over max_num_seqs: it waits");
  t.loop.abort(waiting);
  equal(waiting.finish, "abort");
  equal(t.loop.kv.gauges.queued[0], 0);
  t.runUntil(() => jobs.every((j) => j.finish !== ""));
  equal(t.loop.stats.finished.length, m);
  equal(t.loop.kv.gauges.kvUsedTokens[0], 0);
  // One still in the front end (tokenising) never reaches the engine.
  const early = t.submit("f1", JobMode.Local, 5000, 5);
  equal(early.flight.phase, Phase.Free);
  t.loop.abort(early);
  equal(early.finish, "abort");
  t.runUntil(() => false);
  equal(t.loop.kv.gauges.queued[0], 0);
  equal(t.loop.jobs.size, 0);
});
