import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { Rng } from "../core/rng.ts";
import { type RequestRecord, ShedReason } from "../core/record.ts";
import { Reason, Role } from "../core/types.ts";
import type { FleetSnapshot, InferenceRequest, RequestSource } from "../core/types.ts";
import { createPolicy } from "../policy/registry.ts";
import type { Policy, PolicyContext } from "../policy/types.ts";
import {
  denseMs,
  frontEndMs,
  kvReadMsPerToken,
  kvTransferMs,
  type ModelPreset,
  prefillAttentionMs,
  prefillMsPerToken,
  standalonePrefillMs,
} from "../model/model.ts";
import { LLAMA3_8B_H100 } from "../model/presets.ts";
import { simulate, type SimulationOptions } from "./simulator.ts";
import { workloadTemplate } from "../workload/catalog.ts";
import { SyntheticSource } from "../workload/synthetic.ts";

const SLO = { ttftMs: 2000, tpotMs: 100 };

function context(model: ModelPreset = LLAMA3_8B_H100): PolicyContext {
  return {
    random: new Rng(9).source(),
    sloTtftMs: SLO.ttftMs,
    sloTpotMs: SLO.tpotMs,
    prefillMsPerToken: prefillMsPerToken(model),
  };
}

function listSource(requests: InferenceRequest[], blockTokens = 64): RequestSource {
  let done = false;
  return {
    name: "list",
    blockTokens,
    next: () => {
      if (done) return [];
      done = true;
      return requests;
    },
  };
}

/** Runs a simulation while checking invariants after every event. */
async function checkedRun(options: Omit<SimulationOptions, "slo"> & { requests: number }) {
  const records: RequestRecord[] = [];
  let lastNow = -Infinity;
  let events = 0;
  const result = await simulate({
    slo: SLO,
    ...options,
    onRequest: (r) => records.push({ ...r }),
    onEvent: (fleet: FleetSnapshot) => {
      events++;
      ok(fleet.nowMs >= lastNow, `time went backwards: ${fleet.nowMs} after ${lastNow}`);
      lastNow = fleet.nowMs;
      for (let w = 0; w < fleet.n; w++) {
        ok(
          fleet.kvUsedTokens[w] <= fleet.kvCapacityTokens[w] + 1e-6,
          `KV over capacity on worker ${w}: ${fleet.kvUsedTokens[w]} > ${
            fleet.kvCapacityTokens[w]
          }`,
        );
        ok(fleet.kvUsedTokens[w] >= 0 && fleet.queuedPrefillTokens[w] >= -1e-6);
      }
    },
  });
  ok(events > 0);
  // Every request completes exactly once or is shed and counted.
  equal(records.length, options.requests, "every request reported once");
  equal(new Set(records.map((r) => r.id)).size, options.requests, "no request reported twice");
  const shed = records.filter((r) => r.shedReason !== ShedReason.None).length;
  equal(result.summary.completed + result.summary.shed, options.requests);
  equal(result.summary.shed, shed);
  for (const r of records) {
    if (r.shedReason !== ShedReason.None) continue;
    const own = standalonePrefillMs(options.model, r.promptTokens - r.cachedTokens, r.cachedTokens);
    ok(r.ttftMs >= own - 1e-9, `request ${r.id}: TTFT ${r.ttftMs} < own prefill ${own}`);
    ok(r.e2eMs >= r.ttftMs, `request ${r.id}: e2e < TTFT`);
    ok(r.outputTokens === 1 || r.tpotMs > 0, `request ${r.id}: TPOT ${r.tpotMs}`);
    ok(r.cachedTokens >= 0 && r.cachedTokens < r.promptTokens);
  }
  return { result, records };
}

function workload(name: string, requests: number, ratePerS: number, seed = 1): RequestSource {
  return new SyntheticSource(workloadTemplate(name).build({ requests, ratePerS, seed }));
}

Deno.test("one request on an idle fleet: TTFT and TPOT follow the timing model exactly", async () => {
  const m = LLAMA3_8B_H100;
  const prompt = 1000, output = 5;
  const req: InferenceRequest = {
    id: 0,
    arrivalMs: 10,
    promptTokens: prompt,
    outputTokens: output,
    maxTokens: output,
    blocks: new Uint32Array(Math.ceil(prompt / 64)).map((_, i) => 100 + i),
    priority: 0,
    sessionId: -1,
  };
  const records: RequestRecord[] = [];
  await simulate({
    model: m,
    prefillWorkers: 1,
    decodeWorkers: 1,
    policy: createPolicy("round-robin", {}, context()),
    workload: listSource([req]),
    slo: SLO,
    onRequest: (r) => records.push({ ...r }),
  });
  const kc = kvReadMsPerToken(m);
  const prefillMs = m.stepOverheadMs + denseMs(m, prompt) + prefillAttentionMs(m, prompt, 0) +
    m.lmHeadMs;
  const transferMs = kvTransferMs(m, prompt);
  const step = (ctx: number) =>
    m.stepOverheadMs + m.seqOverheadMs + denseMs(m, 1) + m.lmHeadMs + kc * ctx;
  // Both hops pass their engine's front end: the prefill engine's, then the decode engine's.
  const ttft = 2 * frontEndMs(m, prompt) + prefillMs + transferMs + step(prompt);
  let rest = 0;
  for (let j = 1; j < output; j++) rest += step(prompt + j);
  equal(records.length, 1);
  const r = records[0];
  ok(Math.abs(r.ttftMs - ttft) < 1e-9, `TTFT ${r.ttftMs} vs ${ttft}`);
  ok(Math.abs(r.tpotMs - rest / (output - 1)) < 1e-9, `TPOT ${r.tpotMs} vs ${rest / (output - 1)}`);
  ok(Math.abs(r.e2eMs - (ttft + rest)) < 1e-9);
  equal(r.prefillWorker, 0);
  equal(r.decodeWorker, 1);
});

Deno.test("a repeated prompt hits the prefix cache and prefills faster", async () => {
  const blocks = new Uint32Array(32).map((_, i) => 500 + i);
  const mk = (id: number, arrivalMs: number): InferenceRequest => ({
    id,
    arrivalMs,
    promptTokens: 2048,
    outputTokens: 2,
    maxTokens: 2,
    blocks,
    priority: 0,
    sessionId: -1,
  });
  const records: RequestRecord[] = [];
  await simulate({
    model: LLAMA3_8B_H100,
    prefillWorkers: 1,
    decodeWorkers: 1,
    policy: createPolicy("round-robin", {}, context()),
    workload: listSource([mk(0, 0), mk(1, 5000)]),
    slo: SLO,
    onRequest: (r) => records.push({ ...r }),
  });
  equal(records[0].cachedTokens, 0);
  equal(records[1].cachedTokens, 2047, "all but the last token cached");
  ok(records[1].ttftMs < records[0].ttftMs / 2, `${records[1].ttftMs} vs ${records[0].ttftMs}`);
});

for (const policyName of ["round-robin", "telemetry"]) {
  for (const wl of ["chat", "poisson", "skewed"]) {
    Deno.test(`invariants hold: ${policyName} on ${wl}`, async () => {
      const n = 1500;
      await checkedRun({
        model: LLAMA3_8B_H100,
        prefillWorkers: 3,
        decodeWorkers: 2,
        policy: createPolicy(
          policyName,
          policyName === "telemetry" ? { migrationBudget: 4 } : {},
          context(),
        ),
        workload: workload(wl, n, 30),
        requests: n,
      });
    });
  }
}

Deno.test("invariants hold when KV is scarce (admission waits) and some requests can never fit", async () => {
  // A GPU with little memory left for KV: admission must wait, never overflow.
  const tiny: ModelPreset = {
    ...LLAMA3_8B_H100,
    name: "tiny-kv",
    gpu: { ...LLAMA3_8B_H100.gpu, memoryBytes: 23e9 }, // ≈ 16k KV tokens after weights
  };
  const n = 600;
  const { result, records } = await checkedRun({
    model: tiny,
    prefillWorkers: 2,
    decodeWorkers: 2,
    policy: createPolicy("telemetry", {}, context(tiny)),
    workload: workload("poisson", n, 20),
    requests: n,
  });
  const tooLarge = records.filter((r) => r.shedReason === ShedReason.TooLarge).length;
  ok(tooLarge > 0, "some prompts exceed the tiny capacity and are shed as too large");
  equal(result.summary.completed, n - tooLarge);
});

Deno.test("invariants hold with colocated workers and local prefill on decode workers", async () => {
  // A policy that lets the decode worker prefill every other request, and uses a colocated
  // worker as a remote prefiller for some others.
  const mixed: Policy = {
    name: "mixed",
    prepare() {},
    route(s, r, out) {
      const decode = 2 + (r.id % 3); // workers 2, 3 decode; 4 is colocated
      out.decode = decode;
      out.prefill = r.id % 2 === 0 ? -1 : r.id % 5 === 1 ? 4 : r.id % 2;
      out.reason = Reason.Load;
      if (s.role[out.decode] === Role.Prefill) throw new Error("bad fixture");
    },
  };
  const n = 800;
  await checkedRun({
    model: LLAMA3_8B_H100,
    prefillWorkers: 2,
    decodeWorkers: 2,
    colocatedWorkers: 1,
    policy: mixed,
    workload: workload("seed-lab", n, 30),
    requests: n,
  });
});

Deno.test("the same seed gives identical records; another seed differs", async () => {
  const run = async (seed: number) => {
    const out: RequestRecord[] = [];
    await simulate({
      model: LLAMA3_8B_H100,
      prefillWorkers: 2,
      decodeWorkers: 2,
      policy: createPolicy("telemetry", { migrationBudget: 4 }, context()),
      workload: workload("chat", 500, 30, seed),
      slo: SLO,
      onRequest: (r) => out.push({ ...r }),
    });
    return out;
  };
  const a = await run(3), b = await run(3), c = await run(4);
  deepEqual(a, b);
  ok(JSON.stringify(a) !== JSON.stringify(c));
});

Deno.test("a policy routing to a worker of the wrong role is reported", async () => {
  const bad: Policy = {
    name: "bad",
    prepare() {},
    route(_s, _r, out) {
      out.prefill = 0;
      out.decode = 0; // worker 0 is prefill-only: it cannot decode
      out.reason = Reason.Load;
    },
  };
  await rejects(
    simulate({
      model: LLAMA3_8B_H100,
      prefillWorkers: 1,
      decodeWorkers: 1,
      policy: bad,
      workload: workload("poisson", 5, 10),
      slo: SLO,
    }),
    /routed request 0 to decode worker 0, which cannot decode/,
  );
});

Deno.test("an unordered workload is rejected with the offending request named", async () => {
  const mk = (id: number, arrivalMs: number): InferenceRequest => ({
    id,
    arrivalMs,
    promptTokens: 10,
    outputTokens: 2,
    maxTokens: 2,
    blocks: new Uint32Array([id + 1]),
    priority: 0,
    sessionId: -1,
  });
  await rejects(
    simulate({
      model: LLAMA3_8B_H100,
      prefillWorkers: 1,
      decodeWorkers: 1,
      policy: createPolicy("round-robin", {}, context()),
      workload: listSource([mk(0, 100), mk(1, 50)]),
      slo: SLO,
    }),
    /not in arrival order: request 1 at 50 ms/,
  );
});

Deno.test("engines with their own block size: invariants hold, hits are real, the router's index is its own", async () => {
  // shared-prefix hashes 64-token blocks; the engines cache 16-token blocks, as vLLM does.
  const wl = () => workload("shared-prefix", 400, 30);
  const same = await checkedRun({
    model: LLAMA3_8B_H100,
    prefillWorkers: 2,
    decodeWorkers: 2,
    policy: createPolicy("llm-d", {}, context()),
    workload: wl(),
    requests: 400,
  });
  let routerBlocks = 0;
  const own = await checkedRun({
    model: LLAMA3_8B_H100,
    prefillWorkers: 2,
    decodeWorkers: 2,
    engineBlockTokens: 16,
    policy: createPolicy("llm-d", {}, context()),
    workload: wl(),
    requests: 400,
    onSample: (fleet) => {
      for (let w = 0; w < fleet.n; w++) {
        routerBlocks = Math.max(routerBlocks, fleet.prefix.blockCount(w));
      }
    },
    sampleIntervalMs: 1000,
  });
  ok(own.result.summary.prefixHitRate > 0.2, `hit rate ${own.result.summary.prefixHitRate}`);
  ok(routerBlocks > 0, "the router's index records what it routed");
  // Finer blocks cache the tail of a shared prefix that 64-token blocks round off.
  ok(
    own.result.summary.prefixHitRate >= same.result.summary.prefixHitRate - 0.02,
    `${own.result.summary.prefixHitRate} vs ${same.result.summary.prefixHitRate}`,
  );
});

Deno.test("an idle stretch costs a few events: ticks park while idle and resume on their grid", async () => {
  const DAY_MS = 86_400_000;
  const request = (id: number, arrivalMs: number): InferenceRequest => ({
    id,
    arrivalMs,
    promptTokens: 500,
    outputTokens: 300,
    maxTokens: 300,
    blocks: new Uint32Array(8).map((_, i) => 1000 * id + i),
    priority: 0,
    sessionId: -1,
  });
  const inner = createPolicy("telemetry", { migrationBudget: 4 }, context());
  const rebalances: number[] = [];
  const policy: Policy = {
    name: inner.name,
    prepare: (n) => inner.prepare(n),
    route: (s, r, out) => inner.route(s, r, out),
    rebalance: (s, out) => {
      rebalances.push(s.nowMs);
      inner.rebalance!(s, out);
    },
  };
  const samples: number[] = [];
  const records: RequestRecord[] = [];
  const eventTimes: number[] = [];
  const result = await simulate({
    model: LLAMA3_8B_H100,
    prefillWorkers: 1,
    decodeWorkers: 1,
    policy,
    workload: listSource([request(0, 10), request(1, 10 + DAY_MS)]),
    slo: SLO,
    sampleIntervalMs: 500,
    onSample: (_, t) => samples.push(t),
    onRequest: (r) => records.push({ ...r }),
    onEvent: (f) => eventTimes.push(f.nowMs),
  });
  equal(records.length, 2);
  const idleFrom = records[0].arrivalMs + records[0].e2eMs, idleTo = 10 + DAY_MS;
  const inIdle = (t: number) => t > idleFrom && t < idleTo;
  // Counts, not seconds: one parked rebalance and sample tick, the sample before the
  // second arrival; a day of 250 ms ticks would be 345,600 events.
  const count = (times: number[]) => times.filter(inIdle).length;
  ok(count(eventTimes) <= 2, `${count(eventTimes)} events while idle`);
  ok(count(samples) <= 2, `${count(samples)} samples while idle`);
  ok(count(rebalances) <= 1, `${count(rebalances)} rebalances while idle`);
  ok(result.events < 1000, `${result.events} events in all`);
  // Ticks stay on their grids: samples every 500 ms from 0, rebalances every 250 ms.
  for (const t of samples) equal(t % 500, 0, `sample at ${t}`);
  for (const t of rebalances) equal(t % 250, 0, `rebalance at ${t}`);
  // The last sample of the idle stretch is the grid time just before the arrival.
  ok(samples.includes(Math.floor(idleTo / 500) * 500), "the idle fleet sampled before it woke");
  ok(samples.some((t) => t > idleTo), "samples resume after the arrival");
});
