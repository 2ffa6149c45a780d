/**
 * Deterministic discrete-event simulator of disaggregated prefill/decode pools.
 *
 * One loop owns the clock and an event queue keyed by (time, sequence); arrivals are
 * pulled from the workload one batch at a time, so memory is O(workers + requests in
 * flight). A request's life:
 *
 * 1. **Route**: the policy picks a prefill and a decode worker from the snapshot (or sheds
 *    it, or lets the decode worker prefill); each hop waits for its engine's tokeniser.
 * 2. **Prefill**: FCFS admission by KV capacity; chunked prefill under a token budget
 *    per step; cached prompt blocks (per-worker LRU prefix cache) are not computed.
 * 3. **Hand-off**: the decode worker admits the request (KV for prompt + output and a
 *    seat), then the KV moves over the prefill worker's link (one transfer at a time
 *    per link): setup + notification + descriptors + bytes ÷ bandwidth.
 * 4. **Decode**: continuous batching; the request joins at the next step boundary and
 *    emits one token per step; the first token reaches the client at the end of its
 *    first step.
 *
 * TTFT = arrival → first token; TPOT = (last − first token) ÷ (output tokens − 1).
 *
 * This module is the event loop and the glue: the engines are `src/worker/`
 * schedulers (the emulator runs the same ones on a real clock), their timing is the
 * `src/model/` execution model, and every router-side signal the policy reads is
 * written by `src/fleet/` (the dispatch ledger and the TTFT/TPOT smoothers).
 *
 * @module
 */

import { createRequestRecord, ShedReason } from "../core/record.ts";
import { doneRecord, shedRecord } from "./_records.ts";
import type { RequestRecord } from "../core/record.ts";
import { createDecision, createMigration, Reason, Role } from "../core/types.ts";
import type { InferenceRequest } from "../core/types.ts";
import { FleetState } from "../fleet/fleet_state.ts";
import { DispatchLedger } from "../fleet/ledger.ts";
import { Smoother } from "../fleet/smoother.ts";
import { Recorder } from "../metrics/recorder.ts";
import { createExecutionModel, type ExecutionModel } from "../model/execution_model.ts";
import { DecodeScheduler } from "../worker/decode_scheduler.ts";
import { BlockCache, cachedPromptTokens, EngineKv } from "../worker/engine.ts";
import { Flight, Phase } from "../worker/flight.ts";
import type { SchedulerHost } from "../worker/host.ts";
import { PrefillScheduler } from "../worker/prefill_scheduler.ts";
import { RechunkedCache } from "../worker/rechunked_cache.ts";
import { EventQueue } from "./event_queue.ts";
import { FrontEnds } from "./_front_end.ts";
import { MirroredCache } from "./_mirrored_cache.ts";
import { ParkedTick } from "./_parked_tick.ts";
import { checkDrained } from "./_check_drained.ts";

export type { SimulationOptions, SimulationResult } from "./simulation_options.ts";
import type { SimulationOptions, SimulationResult } from "./simulation_options.ts";

const EV_PREFILL_STEP = 1;
const EV_DECODE_BOUNDARY = 2;
const EV_TRANSFER_DONE = 3;
const EV_REBALANCE = 4;
const EV_SAMPLE = 5;
const EV_ENGINE_ARRIVE = 6;

/**
 * Runs one simulation to completion.
 *
 * @example
 * ```ts
 * import { simulate } from "./simulator.ts";
 * import { LLAMA3_8B_H100 } from "../model/presets.ts";
 * import { SyntheticSource } from "../workload/synthetic.ts";
 * import { createPolicy } from "../policy/registry.ts";
 * const policy = createPolicy("round-robin", {}, {
 *   random: () => 0, sloTtftMs: 2000, sloTpotMs: 100, prefillMsPerToken: 0.03,
 * });
 * const workload = new SyntheticSource({
 *   name: "demo", requests: 50, ratePerS: 10, seed: 1, blockTokens: 64,
 *   arrival: { kind: "poisson" },
 *   prompt: { kind: "uniform", min: 100, max: 1000 },
 *   output: { kind: "uniform", min: 10, max: 50 },
 * });
 * const { summary } = await simulate({
 *   model: LLAMA3_8B_H100, prefillWorkers: 1, decodeWorkers: 1, policy, workload,
 *   slo: { ttftMs: 2000, tpotMs: 100 },
 * });
 * if (summary.completed !== 50) throw new Error("lost requests");
 * ```
 * @throws {RangeError} On a bad fleet size, an unordered workload or an invalid decision.
 */
export function simulate(options: SimulationOptions): Promise<SimulationResult> {
  return new Simulation(options).run();
}

class Simulation implements SchedulerHost {
  readonly #o: SimulationOptions;
  readonly #m: ExecutionModel;
  readonly #fleet: FleetState;
  readonly #ledger: DispatchLedger;
  readonly #ttft: Smoother;
  readonly #tpot: Smoother;
  readonly #pe: (PrefillScheduler | null)[] = [];
  readonly #de: (DecodeScheduler | null)[] = [];
  readonly #nicFreeAtMs: Float64Array;
  readonly #front: FrontEnds;
  readonly #queue: EventQueue;
  readonly #recorder: Recorder;
  readonly #record = createRequestRecord();
  readonly #decision = createDecision();
  readonly #migration = createMigration();
  #flights: Flight[] = [];
  #freeSlots: number[] = [];
  #now = 0;
  #inFlight = 0;
  #maxInFlight = 0;
  #finished = 0;
  #events = 0;
  #migrations = 0;
  #arrivalsDone = false;
  #lastArrivalMs = -Infinity;

  constructor(o: SimulationOptions) {
    const p = o.prefillWorkers, d = o.decodeWorkers, c = o.colocatedWorkers ?? 0;
    for (
      const [name, v] of [["prefillWorkers", p], ["decodeWorkers", d], ["colocatedWorkers", c]]
    ) {
      if (!Number.isInteger(v) || (v as number) < 0) {
        throw new RangeError(`Cannot simulate: '${name}' must be a non-negative integer, got ${v}`);
      }
    }
    if (d + c < 1) throw new RangeError("Cannot simulate: the fleet needs a decode-capable worker");
    if (p + c < 1) {
      throw new RangeError("Cannot simulate: the fleet needs a prefill-capable worker");
    }
    this.#o = o;
    const roles: number[] = [];
    for (let i = 0; i < p; i++) roles.push(Role.Prefill);
    for (let i = 0; i < d; i++) roles.push(Role.Decode);
    for (let i = 0; i < c; i++) roles.push(Role.Both);
    let m: ExecutionModel;
    try {
      m = o.executionModel ?? createExecutionModel(o.model);
    } catch {
      throw new RangeError(`Cannot simulate: model '${o.model.name}' leaves no KV capacity`);
    }
    this.#m = m;
    const bt = o.workload.blockTokens;
    const fleet = new FleetState(roles, m.kvCapacityTokens, bt);
    this.#fleet = fleet;
    this.#ledger = new DispatchLedger(fleet);
    const alpha = o.smoothing ?? 0.2;
    this.#ttft = new Smoother(fleet.ttftMs, alpha);
    this.#tpot = new Smoother(fleet.tpotMs, alpha);
    // Engine gauges are the snapshot's own arrays: the router sees engine state at once.
    const engineBt = o.engineBlockTokens ?? bt;
    const router = new BlockCache(fleet.prefix, bt);
    const cache = engineBt === bt
      ? router
      : new MirroredCache(new RechunkedCache(roles.length, engineBt, bt), router);
    const kv = new EngineKv(fleet, cache);
    for (let w = 0; w < roles.length; w++) {
      const r = roles[w];
      this.#pe.push(r === Role.Prefill ? new PrefillScheduler(w, m, kv, this) : null);
      this.#de.push(r === Role.Prefill ? null : new DecodeScheduler(w, m, kv, this));
    }
    this.#nicFreeAtMs = new Float64Array(roles.length);
    this.#queue = new EventQueue();
    this.#front = new FrontEnds(roles.length, this.#queue, EV_ENGINE_ARRIVE);
    this.#recorder = new Recorder(o.slo);
    o.policy.prepare(roles.length);
  }

  async run(): Promise<SimulationResult> {
    const o = this.#o;
    const q = this.#queue;
    const rebalanceMs = o.rebalanceIntervalMs ?? 250;
    if (o.policy.rebalance) q.push(rebalanceMs, EV_REBALANCE, 0, 0);
    const sampleMs = o.sampleIntervalMs ?? 0;
    if (o.onSample && sampleMs > 0) q.push(0, EV_SAMPLE, 0, 0);
    // Ticks that find the fleet idle park; the next arrival resumes them (_parked_tick.ts).
    const rebalanceTick = new ParkedTick(rebalanceMs), sampleTick = new ParkedTick(sampleMs);
    let batch: readonly InferenceRequest[] = [];
    let bi = 0;
    for (;;) {
      if (bi === batch.length && !this.#arrivalsDone) {
        const next = o.workload.next();
        batch = next instanceof Promise ? await next : next;
        bi = 0;
        if (batch.length === 0) this.#arrivalsDone = true;
      }
      const arrivalMs = bi < batch.length ? batch[bi].arrivalMs : Infinity;
      const eventMs = q.peekTime();
      if (arrivalMs === Infinity && eventMs === Infinity) break;
      this.#events++;
      if (arrivalMs <= eventMs) {
        if (rebalanceTick.parked) q.push(rebalanceTick.resume(arrivalMs), EV_REBALANCE, 0, 0);
        if (sampleTick.parked) {
          q.push(sampleTick.resume(arrivalMs), EV_SAMPLE, 0, 0);
          // The idle fleet at the last grid time of the stretch, as it was all along.
          const t = sampleTick.skippedMs;
          if (t === t) this.#sample(t);
        }
        this.#now = arrivalMs;
        this.#arrive(batch[bi++]);
      } else {
        q.pop();
        const now = this.#now = q.time;
        switch (q.kind) {
          case EV_PREFILL_STEP:
            this.#pe[q.a]!.onStep(now);
            break;
          case EV_DECODE_BOUNDARY:
            this.#de[q.a]!.onBoundary(now, q.b);
            break;
          case EV_TRANSFER_DONE:
            this.#onTransferDone(this.#flights[q.a]);
            break;
          case EV_ENGINE_ARRIVE:
            this.#onEngineArrive(this.#flights[q.a]);
            break;
          case EV_REBALANCE:
            if (this.#inFlight > 0 || !this.#arrivalsDone) {
              this.#rebalance();
              if (this.#inFlight > 0) q.push(now + rebalanceMs, EV_REBALANCE, 0, 0);
              else rebalanceTick.park(now);
            }
            break;
          case EV_SAMPLE:
            if (this.#inFlight > 0 || !this.#arrivalsDone) {
              this.#sample(now);
              if (this.#inFlight > 0) q.push(now + sampleMs, EV_SAMPLE, 0, 0);
              else sampleTick.park(now);
            }
            break;
        }
      }
      this.#fleet.nowMs = this.#now;
      if (o.onEvent) {
        this.#fleet.flush();
        o.onEvent(this.#fleet);
      }
    }
    if (this.#inFlight !== 0) {
      throw new Error(`Simulation ended with ${this.#inFlight} requests in flight (a bug)`);
    }
    checkDrained(this.#fleet);
    return {
      summary: this.#recorder.summary(o.policy.name, this.#migrations),
      events: this.#events,
      maxInFlight: this.#maxInFlight,
      endMs: this.#now,
    };
  }

  #sample(atMs: number): void {
    this.#fleet.nowMs = atMs;
    this.#fleet.flush();
    this.#o.onSample!(this.#fleet, atMs);
  }

  // ---- arrivals and routing -------------------------------------------------------

  #arrive(req: InferenceRequest): void {
    if (req.arrivalMs < this.#lastArrivalMs) {
      throw new RangeError(
        `Workload '${this.#o.workload.name}' is not in arrival order: request ${req.id} at ` +
          `${req.arrivalMs} ms follows one at ${this.#lastArrivalMs} ms`,
      );
    }
    this.#lastArrivalMs = req.arrivalMs;
    const fleet = this.#fleet;
    fleet.nowMs = this.#now;
    fleet.flush();
    const out = this.#decision;
    out.prefill = -1;
    out.decode = -1;
    out.reason = Reason.None;
    try {
      this.#o.policy.route(fleet, req, out);
    } catch (e) {
      throw new Error(
        `Policy '${this.#o.policy.name}' failed on request ${req.id}: ${
          e instanceof Error ? e.message : String(e)
        }`,
        { cause: e },
      );
    }
    if (out.decode < 0) {
      this.#shed(req, out.reason === Reason.NoWorker ? ShedReason.NoWorker : ShedReason.Overload);
      return;
    }
    const d = out.decode;
    const p = out.prefill < 0 ? d : out.prefill;
    this.#checkDecision(req, p, d);
    const capD = fleet.kvCapacityTokens[d], capP = fleet.kvCapacityTokens[p];
    if (req.promptTokens + req.outputTokens > capD || req.promptTokens > capP) {
      this.#shed(req, ShedReason.TooLarge);
      return;
    }
    const f = this.#allocFlight(req);
    f.prefillWorker = p;
    f.decodeWorker = d;
    // The router's own estimate of the prompt tokens left to compute on `p`, and the KV
    // the request will hold on `d` (counted from dispatch on, while it still prefills
    // elsewhere, so that routing sees it at once).
    const uncached = req.promptTokens -
      cachedPromptTokens(
        fleet.prefix.matchLength(p, req.blocks),
        fleet.blockTokens,
        req.promptTokens,
      );
    f.ledgerId = this.#ledger.dispatch(
      this.#now,
      p,
      d,
      uncached,
      req.promptTokens + req.outputTokens,
    );
    f.phase = Phase.PrefillQueued;
    // A colocated worker prefilling for another decode worker holds the prompt here too.
    if (!this.#pe[p] && d !== p) this.#ledger.commitPrefillKv(f.ledgerId, req.promptTokens);
    this.#front.submit(p, this.#now, this.#m.frontEndMs(req.promptTokens), f.slot);
  }

  /** `f` leaves its prefill engine's front end (the decode hop's is held; see `FrontEnds`). */
  #onEngineArrive(f: Flight): void {
    (this.#pe[f.prefillWorker] ?? this.#de[f.prefillWorker])!.enqueue(f, this.#now);
  }

  #checkDecision(req: InferenceRequest, p: number, d: number): void {
    const fleet = this.#fleet;
    const name = this.#o.policy.name;
    if (!(d >= 0 && d < fleet.n && (fleet.role[d] & Role.Decode) !== 0)) {
      throw new RangeError(
        `Policy '${name}' routed request ${req.id} to decode worker ${d}, which cannot decode`,
      );
    }
    if (!(p >= 0 && p < fleet.n && (fleet.role[p] & Role.Prefill) !== 0) && p !== d) {
      throw new RangeError(
        `Policy '${name}' routed request ${req.id} to prefill worker ${p}, which cannot prefill`,
      );
    }
  }

  #shed(req: InferenceRequest, reason: number): void {
    this.#emit(shedRecord(this.#record, req, reason));
  }

  #emit(r: RequestRecord): void {
    this.#recorder.add(r);
    if (this.#o.onRequest) this.#o.onRequest(r);
    this.#finished++;
    const every = this.#o.progressEvery ?? 16384;
    if (this.#o.onProgress && this.#finished % every === 0) {
      this.#o.onProgress(this.#finished, this.#now);
    }
  }

  #allocFlight(req: InferenceRequest): Flight {
    let f: Flight;
    if (this.#freeSlots.length > 0) {
      f = this.#flights[this.#freeSlots.pop()!];
    } else {
      f = new Flight();
      f.slot = this.#flights.length;
      this.#flights.push(f);
    }
    f.reset(req);
    if (++this.#inFlight > this.#maxInFlight) this.#maxInFlight = this.#inFlight;
    return f;
  }

  #releaseFlight(f: Flight): void {
    f.phase = Phase.Free;
    f.req = undefined as unknown as InferenceRequest; // let the request be collected
    this.#freeSlots.push(f.slot);
    this.#inFlight--;
  }

  // ---- scheduler host: what the engines tell the driver -----------------------------

  prefillStepAt(worker: number, atMs: number): void {
    this.#queue.push(atMs, EV_PREFILL_STEP, worker, 0);
  }

  decodeBoundaryAt(worker: number, atMs: number, gen: number): void {
    this.#queue.push(atMs, EV_DECODE_BOUNDARY, worker, gen);
  }

  changed(worker: number): void {
    this.#fleet.touch(worker);
  }

  prefillAdmitted(_worker: number, f: Flight): void {
    this.#ledger.prefillStarted(f.ledgerId, f.remaining);
  }

  prefillComputed(_worker: number, f: Flight, tokens: number): void {
    this.#ledger.prefillProgress(f.ledgerId, tokens);
  }

  prefillDone(worker: number, f: Flight): void {
    this.#ttft.observe(worker, this.#now - f.req.arrivalMs);
    this.#ledger.prefillDone(f.ledgerId, this.#now);
    if (f.decodeWorker === worker) return; // prefilled by its own decode worker
    this.#front.hold(f.decodeWorker, this.#now, this.#m.frontEndMs(f.req.promptTokens), f.slot);
    this.#de[f.decodeWorker]!.enqueue(f, this.#now);
  }

  decodeAdmitted(worker: number, f: Flight): void {
    this.#ledger.kvAdmitted(f.ledgerId, worker);
  }

  transferNeeded(_worker: number, f: Flight, tokens: number): void {
    this.#startTransfer(f.prefillWorker, f, tokens, false);
  }

  stepTimed(worker: number, stepMs: number): void {
    this.#tpot.observe(worker, stepMs);
  }

  completed(worker: number, f: Flight): void {
    const now = this.#now;
    this.#ledger.complete(f.ledgerId, now);
    const r = doneRecord(this.#record, f, worker, now);
    this.#releaseFlight(f);
    this.#emit(r);
  }

  migrationCancelled(f: Flight): void {
    this.#de[f.migrateTo]!.cancelIncoming(f, this.#now);
  }

  migratedOut(worker: number, f: Flight): void {
    const to = f.migrateTo;
    this.#ledger.moved(f.ledgerId, to);
    f.decodeKv = f.req.promptTokens + f.req.outputTokens;
    f.decodeWorker = to;
    f.migrateTo = -1;
    f.migrations++;
    this.#migrations++;
    this.#o.onMigration?.(f.migrateDecidedMs, worker, to);
    this.#startTransfer(worker, f, f.req.promptTokens + f.generated, true);
  }

  // ---- KV transfers (one at a time per sending worker's link) ------------------------

  #startTransfer(from: number, f: Flight, tokens: number, migration: boolean): void {
    const start = Math.max(this.#now, this.#nicFreeAtMs[from], this.#front.readyAtMs(f.slot));
    const end = start + this.#m.transferMs(tokens);
    this.#nicFreeAtMs[from] = end;
    f.phase = Phase.Transfer;
    f.migratingTransfer = migration;
    this.#queue.push(end, EV_TRANSFER_DONE, f.slot, 0);
  }

  #onTransferDone(f: Flight): void {
    const now = this.#now;
    if (!f.migratingTransfer) {
      // The prefill side frees the request's KV (its blocks stay cached).
      const p = f.prefillWorker;
      const pe = this.#pe[p];
      if (pe) pe.release(f, now);
      else this.#de[p]!.releasePrefilled(f, now);
    }
    this.#de[f.decodeWorker]!.transferDone(f, now);
  }

  // ---- migration ----------------------------------------------------------------

  #rebalance(): void {
    const policy = this.#o.policy;
    if (!policy.rebalance) return;
    const fleet = this.#fleet;
    fleet.nowMs = this.#now;
    fleet.flush();
    const mv = this.#migration;
    mv.from = -1;
    mv.to = -1;
    try {
      policy.rebalance(fleet, mv);
    } catch (e) {
      throw new Error(
        `Policy '${policy.name}' failed to rebalance at ${this.#now} ms: ${
          e instanceof Error ? e.message : String(e)
        }`,
        { cause: e },
      );
    }
    const from = mv.from, to = mv.to;
    if (from < 0 || to < 0 || from === to) return;
    const src = this.#de[from], dst = this.#de[to];
    if (!src || !dst || fleet.healthy[to] !== 1) return;
    const pick = src.pickMigrant(this.#now);
    if (!pick || !dst.canHost(pick)) return;
    dst.reserveIncoming(pick);
    pick.migrateTo = to;
    pick.migrateDecidedMs = this.#now;
    src.markOutgoing(pick, this.#now);
  }
}
