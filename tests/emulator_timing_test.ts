// The emulator is the simulator's engine on a real clock: the same requests through the
// simulator (one colocated engine) and through the emulator's EngineLoop (driven by a
// manual clock, arrivals at their times) give the same first-token and end times, to
// the microsecond, and every streamed token comes out in order at its due time.
import { equal, ok } from "node:assert/strict";
import { ManualClock } from "../src/core/clock.ts";
import type { InferenceRequest } from "../src/core/types.ts";
import { createExecutionModel } from "../src/model/execution_model.ts";
import { LLAMA3_8B_H100 } from "../src/model/presets.ts";
import { createPolicy } from "../src/policy/registry.ts";
import { simulate } from "../src/sim/simulator.ts";
import { BlockCache } from "../src/worker/engine.ts";
import { PrefixIndex } from "../src/index/prefix_index.ts";
import { SyntheticSource } from "../src/workload/synthetic.ts";
import { EngineLoop } from "../src/engine/emulator/engine_loop.ts";
import { type Job, JobMode } from "../src/engine/emulator/job.ts";
import { ManualTimer } from "../src/engine/emulator/_manual_timer.ts";

const SPEC = {
  name: "emu-timing",
  requests: 150,
  ratePerS: 60,
  seed: 7,
  blockTokens: 16,
  arrival: { kind: "poisson" as const },
  prompt: { kind: "uniform" as const, min: 50, max: 6000 },
  output: { kind: "uniform" as const, min: 1, max: 80 },
  sharedPrefix: {
    prompts: 3,
    tokens: { kind: "uniform" as const, min: 200, max: 800 },
    probability: 0.5,
  },
};

async function requests(): Promise<InferenceRequest[]> {
  const src = new SyntheticSource(SPEC);
  const out: InferenceRequest[] = [];
  for (;;) {
    const next = src.next();
    const batch = next instanceof Promise ? await next : next;
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

Deno.test("emulator engine loop: the simulator's timeline, token by token", async () => {
  const reqs = await requests();
  const sim = new Map<number, { ttft: number; e2e: number }>();
  const policy = createPolicy("round-robin", {}, {
    random: () => 0,
    sloTtftMs: 1000,
    sloTpotMs: 100,
    prefillMsPerToken: 0.03,
  });
  await simulate({
    model: LLAMA3_8B_H100,
    prefillWorkers: 0,
    decodeWorkers: 0,
    colocatedWorkers: 1,
    policy,
    workload: new SyntheticSource(SPEC),
    slo: { ttftMs: 1000, tpotMs: 100 },
    onRequest: (r) => sim.set(r.id, { ttft: r.ttftMs, e2e: r.e2eMs }),
  });
  equal(sim.size, reqs.length);

  const model = createExecutionModel(LLAMA3_8B_H100);
  const clock = new ManualClock();
  const timer = new ManualTimer();
  const loop = new EngineLoop({
    model,
    cache: new BlockCache(new PrefixIndex(1), SPEC.blockTokens),
    capacityTokens: model.kvCapacityTokens,
    clock,
    timer: (onFire) => {
      timer.onFire = onFire;
      return timer;
    },
  });
  const ended = new Map<number, Job>();
  const dues = new Map<number, number[]>();
  const sink = {
    tokens(job: Job, from: number, to: number) {
      equal(from, (dues.get(job.id) ?? []).length, "tokens come in order, none twice");
      const list = dues.get(job.id) ?? [];
      for (let k = from + 1; k <= to; k++) {
        const due = loop.scheduler.tokenDueMs(job.flight, k);
        list.push(Number.isNaN(due) ? loop.nowMs : due);
      }
      dues.set(job.id, list);
    },
    done(job: Job) {
      ended.set(job.id, job);
    },
  };
  const byJob = new Map<number, InferenceRequest>();
  let i = 0;
  while (i < reqs.length || ended.size < reqs.length) {
    const nextArrival = i < reqs.length ? reqs[i].arrivalMs : Infinity;
    if (nextArrival <= timer.deadlineMs) {
      clock.set(Math.max(clock.nowMs(), nextArrival));
      const r = reqs[i++];
      const job = loop.submit({
        requestId: String(r.id),
        promptTokens: r.promptTokens,
        blocks: r.blocks,
        outputTokens: r.outputTokens,
        maxTokens: r.outputTokens,
        mode: JobMode.Local,
        stream: true,
      }, sink);
      byJob.set(job.id, r);
    } else {
      ok(timer.deadlineMs < Infinity, "the loop always has a deadline while work is left");
      clock.set(timer.deadlineMs);
      timer.fire();
    }
  }
  let worst = 0;
  for (const [id, job] of ended) {
    const r = byJob.get(id)!;
    const s = sim.get(r.id)!;
    worst = Math.max(
      worst,
      Math.abs(job.firstTokenMs - job.arrivalMs - s.ttft),
      Math.abs(job.endMs - job.arrivalMs - s.e2e),
    );
    const d = dues.get(id)!;
    equal(d.length, r.outputTokens, `request ${r.id} streamed every token`);
    for (let k = 1; k < d.length; k++) ok(d[k] >= d[k - 1], "due times never go back");
    ok(Math.abs(d[0] - job.firstTokenMs) < 1e-9 && Math.abs(d.at(-1)! - job.endMs) < 1e-9);
    equal(job.finish, "length");
  }
  ok(worst < 1e-6, `largest TTFT/e2e difference from the simulator: ${worst} ms`);
  equal(loop.stats.finished.length, reqs.length);
  equal(loop.kv.gauges.kvUsedTokens[0], 0, "all KV freed");
  ok(loop.stats.prefixHits > 0, "the shared prefixes hit the engine's cache");
  loop.close();
});
