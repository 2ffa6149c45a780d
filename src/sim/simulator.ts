/**
 * Deterministic discrete-event simulator of disaggregated prefill/decode pools.
 *
 * One loop owns the clock and an event queue keyed by (time, sequence); arrivals are
 * pulled from the workload one batch at a time, so memory is O(workers + requests in
 * flight). A request's life:
 *
 * 1. **Route**: the policy reads the fleet snapshot and picks a prefill and a decode
 *    worker (or sheds the request, or lets the decode worker prefill locally).
 * 2. **Prefill**: FCFS admission by KV capacity; chunked prefill under a token budget
 *    per step; cached prompt blocks (per-worker LRU prefix cache) are not computed.
 * 3. **Hand-off**: the decode worker admits the request (KV for prompt + output and a
 *    seat), then the KV moves over the prefill worker's link (one transfer at a time
 *    per link): `latency + bytes ÷ bandwidth`.
 * 4. **Decode**: continuous batching; the request joins at the next step boundary and
 *    emits one token per step; the first token reaches the client at the end of its
 *    first step.
 *
 * TTFT = arrival → first token; TPOT = (last − first token) ÷ (output tokens − 1).
 *
 * @module
 */

import { createRequestRecord, ShedReason } from "../core/record.ts";
import type { RequestRecord } from "../core/record.ts";
import { createDecision, createMigration, Reason, Role } from "../core/types.ts";
import type { FleetSnapshot, InferenceRequest, RequestSource } from "../core/types.ts";
import { FleetState } from "../fleet/fleet_state.ts";
import { Recorder, type RunSummary, type Slo } from "../metrics/recorder.ts";
import type { Policy } from "../policy/types.ts";
import { DecodeEngine, Flight, Phase, PrefillEngine } from "../worker/engines.ts";
import { EventQueue } from "./event_queue.ts";
import {
  denseMs,
  kvCapacityTokens,
  kvReadMsPerToken,
  kvTransferMs,
  type ModelPreset,
  prefillAttentionMs,
} from "../model/model.ts";

/** Options of one simulation run. */
export interface SimulationOptions {
  /** Timing model of every worker. */
  readonly model: ModelPreset;
  /** Prefill-only workers (ids `0..P-1`). */
  readonly prefillWorkers: number;
  /** Decode-only workers (ids `P..P+D-1`). */
  readonly decodeWorkers: number;
  /** Colocated workers that both prefill and decode (ids after the decode pool). Default 0. */
  readonly colocatedWorkers?: number;
  /** The routing policy (prepared by the simulator). */
  readonly policy: Policy;
  /** The requests. */
  readonly workload: RequestSource;
  /** Objectives for attainment and goodput. */
  readonly slo: Slo;
  /** How often the policy may rebalance (migrate), simulated ms. Default 250. */
  readonly rebalanceIntervalMs?: number;
  /** Weight of the newest sample in smoothed TTFT/TPOT telemetry. Default 0.2. */
  readonly smoothing?: number;
  /** Called once per request when it completes or is shed (the record is reused). */
  readonly onRequest?: (record: Readonly<RequestRecord>) => void;
  /** Called when a migration is carried out, with the time it was decided. */
  readonly onMigration?: (decidedMs: number, from: number, to: number) => void;
  /** Called after every event with the fleet (for invariant checks in tests). */
  readonly onEvent?: (fleet: FleetSnapshot) => void;
  /** Simulated ms between calls of `onSample` (0 or absent: never). */
  readonly sampleIntervalMs?: number;
  /**
   * Called every `sampleIntervalMs` of simulated time while requests are in flight or
   * arriving, with the live fleet (copy what you keep).
   */
  readonly onSample?: (fleet: FleetSnapshot, nowMs: number) => void;
  /** Called every `progressEvery` finished requests. */
  readonly onProgress?: (finished: number, nowMs: number) => void;
  /** Finished requests between progress calls. Default 16384. */
  readonly progressEvery?: number;
}

/** What a simulation returns. */
export interface SimulationResult {
  /** The policy's summary. */
  readonly summary: RunSummary;
  /** Events processed (arrivals included). */
  readonly events: number;
  /** Most requests in flight at once. */
  readonly maxInFlight: number;
  /** Simulated time at the end, ms. */
  readonly endMs: number;
}

const EV_PREFILL_STEP = 1;
const EV_DECODE_BOUNDARY = 2;
const EV_TRANSFER_DONE = 3;
const EV_REBALANCE = 4;
const EV_SAMPLE = 5;

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

class Simulation {
  readonly #o: SimulationOptions;
  readonly #m: ModelPreset;
  readonly #fleet: FleetState;
  readonly #pe: (PrefillEngine | null)[] = [];
  readonly #de: (DecodeEngine | null)[] = [];
  readonly #nicFreeAtMs: Float64Array;
  readonly #kc: number; // decode KV read ms per token
  readonly #bt: number;
  readonly #alpha: number;
  readonly #queue: EventQueue;
  readonly #recorder: Recorder;
  readonly #record = createRequestRecord();
  readonly #decision = createDecision();
  readonly #migration = createMigration();
  #flights: Flight[] = [];
  #joinedWithoutToken: Flight[] = [];
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
    this.#m = o.model;
    const roles: number[] = [];
    for (let i = 0; i < p; i++) roles.push(Role.Prefill);
    for (let i = 0; i < d; i++) roles.push(Role.Decode);
    for (let i = 0; i < c; i++) roles.push(Role.Both);
    const capacity = kvCapacityTokens(o.model);
    if (!(capacity > 0)) {
      throw new RangeError(`Cannot simulate: model '${o.model.name}' leaves no KV capacity`);
    }
    this.#bt = o.workload.blockTokens;
    this.#fleet = new FleetState(roles, capacity, this.#bt);
    for (const r of roles) {
      this.#pe.push(r === Role.Prefill ? new PrefillEngine() : null);
      this.#de.push(r === Role.Prefill ? null : new DecodeEngine());
    }
    this.#nicFreeAtMs = new Float64Array(roles.length);
    this.#kc = kvReadMsPerToken(o.model);
    this.#alpha = o.smoothing ?? 0.2;
    this.#queue = new EventQueue();
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
        this.#now = arrivalMs;
        this.#arrive(batch[bi++]);
      } else {
        q.pop();
        this.#now = q.time;
        switch (q.kind) {
          case EV_PREFILL_STEP:
            this.#onPrefillStep(q.a);
            break;
          case EV_DECODE_BOUNDARY: {
            const e = this.#de[q.a]!;
            if (q.b === e.gen) this.#onDecodeBoundary(q.a, e);
            break;
          }
          case EV_TRANSFER_DONE:
            this.#onTransferDone(this.#flights[q.a]);
            break;
          case EV_REBALANCE:
            if (this.#inFlight > 0 || !this.#arrivalsDone) {
              this.#rebalance();
              q.push(this.#now + rebalanceMs, EV_REBALANCE, 0, 0);
            }
            break;
          case EV_SAMPLE:
            if (this.#inFlight > 0 || !this.#arrivalsDone) {
              this.#fleet.nowMs = this.#now;
              o.onSample!(this.#fleet, this.#now);
              q.push(this.#now + sampleMs, EV_SAMPLE, 0, 0);
            }
            break;
        }
      }
      this.#fleet.nowMs = this.#now;
      if (o.onEvent) o.onEvent(this.#fleet);
    }
    if (this.#inFlight !== 0) {
      throw new Error(`Simulation ended with ${this.#inFlight} requests in flight (a bug)`);
    }
    this.#checkDrained();
    return {
      summary: this.#recorder.summary(o.policy.name, this.#migrations),
      events: this.#events,
      maxInFlight: this.#maxInFlight,
      endMs: this.#now,
    };
  }

  /** At the end every counter must be back at zero; anything else is a bookkeeping bug. */
  #checkDrained(): void {
    const f = this.#fleet;
    for (let w = 0; w < f.n; w++) {
      const left = [
        ["queued", f.queued[w]],
        ["running", f.running[w]],
        ["inflight", f.inflight[w]],
        ["queuedPrefillTokens", f.queuedPrefillTokens[w]],
        ["kvUsedTokens", f.kvUsedTokens[w]],
        ["kvWaitingTokens", f.kvWaitingTokens[w]],
      ] as const;
      for (const [name, value] of left) {
        if (Math.abs(value) > 1e-6) {
          throw new Error(`Simulation ended with ${name} = ${value} on worker ${w} (a bug)`);
        }
      }
    }
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
    fleet.inflight[d]++;
    if (p !== d) fleet.inflight[p]++;
    const m = fleet.prefix.matchLength(p, req.blocks);
    f.estUncached = req.promptTokens - this.#cachedTokens(m, req.promptTokens);
    fleet.queuedPrefillTokens[p] += f.estUncached;
    // In-flight accounting from dispatch on: the decode worker's committed KV counts this
    // request while it is still prefilling elsewhere, so that routing sees it at once.
    fleet.kvWaitingTokens[d] += req.promptTokens + req.outputTokens;
    fleet.refresh(d);
    f.phase = Phase.PrefillQueued;
    const pe = this.#pe[p];
    if (pe) {
      pe.waiting.push(f);
      fleet.queued[p]++;
      fleet.refresh(p);
      this.#startPrefill(p, pe);
    } else {
      this.#enqueueDecodeAdmit(p, f);
    }
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

  #cachedTokens(matchedBlocks: number, promptTokens: number): number {
    // At least one prompt token is always computed (it produces the first logits).
    return matchedBlocks > 0 ? Math.min(matchedBlocks * this.#bt, promptTokens - 1) : 0;
  }

  #shed(req: InferenceRequest, reason: number): void {
    const r = this.#record;
    r.id = req.id;
    r.arrivalMs = req.arrivalMs;
    r.prefillWorker = -1;
    r.decodeWorker = -1;
    r.promptTokens = req.promptTokens;
    r.outputTokens = req.outputTokens;
    r.cachedTokens = 0;
    r.ttftMs = NaN;
    r.tpotMs = NaN;
    r.e2eMs = NaN;
    r.migrations = 0;
    r.shedReason = reason;
    this.#emit(r);
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
    f.req = req;
    f.prefillWorker = f.decodeWorker = -1;
    f.estUncached =
      f.cachedTokens =
      f.remaining =
      f.prefillKv =
      f.decodeKv =
        0;
    f.firstTokenMs = NaN;
    f.generated =
      f.joinStep =
      f.lastStep =
      f.ctxBase =
        0;
    f.heapPos = -1;
    f.migrations = 0;
    f.migrateTo = -1;
    f.migratingTransfer = false;
    if (++this.#inFlight > this.#maxInFlight) this.#maxInFlight = this.#inFlight;
    return f;
  }

  #releaseFlight(f: Flight): void {
    f.phase = Phase.Free;
    f.req = undefined as unknown as InferenceRequest; // let the request be collected
    this.#freeSlots.push(f.slot);
    this.#inFlight--;
  }

  // ---- KV accounting ------------------------------------------------------------

  #reserveKv(w: number, tokens: number): void {
    const fleet = this.#fleet;
    fleet.kvUsedTokens[w] += tokens;
    if (fleet.kvUsedTokens[w] > fleet.kvCapacityTokens[w] + 1e-6) {
      throw new Error(`KV over capacity on worker ${w} (a bug)`);
    }
    this.#trimCache(w);
  }

  #freeKv(w: number, tokens: number): void {
    const fleet = this.#fleet;
    fleet.kvUsedTokens[w] -= tokens;
    if (fleet.kvUsedTokens[w] < 1e-6) fleet.kvUsedTokens[w] = 0;
  }

  /** The prefix cache lives in the KV memory not used by requests. */
  #trimCache(w: number): void {
    const fleet = this.#fleet;
    const freeTokens = fleet.kvCapacityTokens[w] - fleet.kvUsedTokens[w];
    fleet.prefix.evictTo(w, Math.floor(freeTokens / this.#bt));
  }

  #cacheBlocks(w: number, req: InferenceRequest): void {
    this.#fleet.prefix.insert(w, req.blocks);
    this.#trimCache(w);
  }

  #smoothTtft(w: number, sampleMs: number): void {
    const t = this.#fleet.ttftMs;
    t[w] = t[w] === 0 ? sampleMs : t[w] + this.#alpha * (sampleMs - t[w]);
  }

  // ---- prefill engine -------------------------------------------------------------

  #startPrefill(w: number, e: PrefillEngine): void {
    if (e.busy) return;
    const fleet = this.#fleet;
    const m = this.#m;
    // vLLM v1 schedules running requests first, then admits waiting ones FCFS while the
    // step's token budget, the seats and the KV allow (head-of-line blocking).
    let pending = 0;
    for (let i = 0; i < e.running.length && pending < m.maxBatchedTokens; i++) {
      pending += e.running[i].remaining;
    }
    for (;;) {
      const f = e.waiting.peek();
      if (!f || pending >= m.maxBatchedTokens) break;
      const need = f.req.promptTokens;
      if (e.running.length >= m.maxNumSeqs) break;
      if (fleet.kvUsedTokens[w] + need > fleet.kvCapacityTokens[w]) break;
      e.waiting.shift();
      this.#beginPrefill(w, f);
      pending += f.remaining;
      f.prefillKv = need;
      this.#reserveKv(w, need);
      e.running.push(f);
      fleet.queued[w]--;
      fleet.running[w]++;
    }
    let budget = m.maxBatchedTokens;
    let tokens = 0, attnMs = 0;
    e.batch.length = 0;
    e.chunks.length = 0;
    for (let i = 0; i < e.running.length && budget > 0; i++) {
      const f = e.running[i];
      const chunk = f.remaining < budget ? f.remaining : budget;
      const prior = f.req.promptTokens - f.remaining;
      attnMs += prefillAttentionMs(m, chunk, prior);
      e.batch.push(f);
      e.chunks.push(chunk);
      tokens += chunk;
      budget -= chunk;
    }
    fleet.refresh(w);
    if (tokens === 0) return;
    e.busy = true;
    const stepMs = m.stepOverheadMs + denseMs(m, tokens) + attnMs + m.lmHeadMs;
    this.#queue.push(this.#now + stepMs, EV_PREFILL_STEP, w, 0);
  }

  /** Admission: look the prompt up in this worker's cache now, fix the estimate. */
  #beginPrefill(w: number, f: Flight): void {
    const fleet = this.#fleet;
    const m = fleet.prefix.matchLength(w, f.req.blocks);
    f.cachedTokens = this.#cachedTokens(m, f.req.promptTokens);
    f.remaining = f.req.promptTokens - f.cachedTokens;
    fleet.queuedPrefillTokens[w] += f.remaining - f.estUncached;
    f.phase = Phase.Prefilling;
  }

  #onPrefillStep(w: number): void {
    const e = this.#pe[w]!;
    const fleet = this.#fleet;
    e.busy = false;
    let finished = 0;
    for (let i = 0; i < e.batch.length; i++) {
      const f = e.batch[i];
      const chunk = e.chunks[i];
      f.remaining -= chunk;
      fleet.queuedPrefillTokens[w] -= chunk;
      if (f.remaining === 0) finished++;
    }
    if (fleet.queuedPrefillTokens[w] < 1e-6) fleet.queuedPrefillTokens[w] = 0;
    if (finished > 0) {
      const still: Flight[] = [];
      for (const f of e.running) {
        if (f.remaining > 0) {
          still.push(f);
          continue;
        }
        fleet.running[w]--;
        this.#prefillDone(w, f);
      }
      e.running = still;
    }
    this.#startPrefill(w, e);
  }

  /** Prompt computed on `w`: cache its blocks and hand it to its decode worker. */
  #prefillDone(w: number, f: Flight): void {
    this.#fleet.inflight[w]--;
    this.#smoothTtft(w, this.#now - f.req.arrivalMs);
    this.#cacheBlocks(w, f.req);
    this.#enqueueDecodeAdmit(f.decodeWorker, f);
  }

  // ---- decode engine: admission, transfers --------------------------------------

  #enqueueDecodeAdmit(d: number, f: Flight): void {
    const fleet = this.#fleet;
    const e = this.#de[d]!;
    if (f.phase !== Phase.PrefillQueued) f.phase = Phase.DecodeAdmit;
    e.waiting.push(f);
    fleet.queued[d]++;
    // Demand on the request's own decode worker was counted at dispatch; a colocated
    // worker prefilling for another decode worker adds its prompt here.
    if (f.decodeWorker !== d) fleet.kvWaitingTokens[d] += this.#kvNeed(d, f);
    fleet.refresh(d);
    this.#admitDecode(d, e);
  }

  /** KV a flight needs on decode-capable worker `d` when admitted there. */
  #kvNeed(d: number, f: Flight): number {
    const req = f.req;
    // A local job that hands off to another decode worker needs only its prompt here.
    if (f.phase === Phase.PrefillQueued && f.decodeWorker !== d) return req.promptTokens;
    return req.promptTokens + req.outputTokens;
  }

  #admitDecode(d: number, e: DecodeEngine): void {
    const fleet = this.#fleet;
    const m = this.#m;
    for (;;) {
      const f = e.waiting.peek();
      if (!f) break;
      const need = this.#kvNeed(d, f);
      if (e.seats >= m.maxNumSeqs) break;
      if (fleet.kvUsedTokens[d] + need > fleet.kvCapacityTokens[d]) break;
      e.waiting.shift();
      fleet.queued[d]--;
      fleet.kvWaitingTokens[d] -= need;
      if (fleet.kvWaitingTokens[d] < 1e-6) fleet.kvWaitingTokens[d] = 0;
      e.seats++;
      this.#reserveKv(d, need);
      if (f.phase === Phase.PrefillQueued) {
        // Local prefill on this worker.
        if (f.decodeWorker === d) f.decodeKv = need;
        else f.prefillKv = need;
        this.#beginPrefill(d, f);
        e.localQueue.push(f);
        this.#wake(d, e);
      } else {
        f.decodeKv = need;
        const cachedHere = this.#cachedTokens(
          fleet.prefix.matchLength(d, f.req.blocks),
          f.req.promptTokens,
        );
        this.#startTransfer(f.prefillWorker, f, f.req.promptTokens - cachedHere, false);
      }
    }
    fleet.refresh(d);
  }

  #startTransfer(from: number, f: Flight, tokens: number, migration: boolean): void {
    const start = Math.max(this.#now, this.#nicFreeAtMs[from]);
    const end = start + kvTransferMs(this.#m, tokens);
    this.#nicFreeAtMs[from] = end;
    f.phase = Phase.Transfer;
    f.migratingTransfer = migration;
    this.#queue.push(end, EV_TRANSFER_DONE, f.slot, 0);
  }

  #onTransferDone(f: Flight): void {
    const fleet = this.#fleet;
    if (!f.migratingTransfer) {
      // The prefill side frees the request's KV (its blocks stay cached).
      const p = f.prefillWorker;
      this.#freeKv(p, f.prefillKv);
      f.prefillKv = 0;
      fleet.refresh(p);
      const pe = this.#pe[p];
      if (pe) this.#startPrefill(p, pe);
      else {
        const pd = this.#de[p]!;
        pd.seats--;
        this.#admitDecode(p, pd);
      }
    }
    const d = f.decodeWorker;
    const e = this.#de[d]!;
    f.phase = Phase.Join;
    e.pendingJoin.push(f);
    this.#wake(d, e);
  }

  // ---- decode engine: steps -------------------------------------------------------

  /** Makes sure a boundary event comes at the next step end (or now, when idle). */
  #wake(d: number, e: DecodeEngine): void {
    if (e.inBoundary) return; // the boundary handler schedules the next event itself
    const kc = this.#kc;
    if (!e.active) {
      e.active = true;
      e.t0 = this.#now;
      e.extra0 = 0;
      e.batchSize = 0;
      e.s0 = 0;
      e.base = this.#m.stepOverheadMs;
      e.eventStep = e.stepIdx0 - 1;
      this.#queue.push(this.#now, EV_DECODE_BOUNDARY, d, ++e.gen);
      return;
    }
    const n = e.firstBoundaryAtOrAfter(this.#now, kc);
    const step = e.stepIdx0 + n - 1;
    if (step < e.eventStep) {
      e.eventStep = step;
      this.#queue.push(e.endOfStep(n, kc), EV_DECODE_BOUNDARY, d, ++e.gen);
    }
  }

  #onDecodeBoundary(d: number, e: DecodeEngine): void {
    const fleet = this.#fleet;
    const m = this.#m;
    e.inBoundary = true;
    // 1. Advance the segment to this boundary.
    const n = e.eventStep - e.stepIdx0 + 1;
    if (n > 0) {
      e.s0 += e.batchSize * n;
      e.stepIdx0 += n;
    }
    e.t0 = this.#now;
    // 2. Local prefill chunks of the step that just ended.
    if (n > 0 && e.stepFlights.length > 0) {
      let finished = 0;
      for (let i = 0; i < e.stepFlights.length; i++) {
        const f = e.stepFlights[i];
        f.remaining -= e.stepChunks[i];
        fleet.queuedPrefillTokens[d] -= e.stepChunks[i];
        if (f.remaining === 0) finished++;
      }
      if (fleet.queuedPrefillTokens[d] < 1e-6) fleet.queuedPrefillTokens[d] = 0;
      e.stepFlights.length = 0;
      e.stepChunks.length = 0;
      if (finished > 0) {
        const still: Flight[] = [];
        for (const f of e.localQueue) {
          if (f.remaining > 0) still.push(f);
          else this.#localPrefillDone(d, e, f);
        }
        e.localQueue = still;
      }
    }
    // 3. Completions: sequences whose last step has ended.
    while (e.heap.length > 0 && e.heap[0].lastStep < e.stepIdx0) {
      const f = e.heap[0];
      e.heapRemove(f);
      e.batchSize--;
      e.s0 -= f.ctxBase + (e.stepIdx0 - f.joinStep);
      this.#complete(d, e, f);
    }
    // 4. Migrations away from this worker.
    if (e.outgoing.length > 0) this.#migrateOut(d, e);
    // 5. Admissions freed by completions.
    this.#admitDecode(d, e);
    // 6. Joins.
    for (const f of e.pendingJoin) this.#join(d, e, f);
    e.pendingJoin.length = 0;
    // 7. Local prefill chunks for the next step.
    const B = e.batchSize;
    let extraMs = 0;
    if (e.localQueue.length > 0) {
      let budget = m.maxBatchedTokens - B;
      let tokens = 0, attnMs = 0;
      for (let i = 0; i < e.localQueue.length && budget > 0; i++) {
        const f = e.localQueue[i];
        const chunk = f.remaining < budget ? f.remaining : budget;
        attnMs += prefillAttentionMs(m, chunk, f.req.promptTokens - f.remaining);
        e.stepFlights.push(f);
        e.stepChunks.push(chunk);
        tokens += chunk;
        budget -= chunk;
      }
      extraMs = denseMs(m, B + tokens) - denseMs(m, B) + attnMs + (B === 0 ? m.lmHeadMs : 0);
    }
    if (e.s0 < 0.5) e.s0 = Math.max(0, Math.round(e.s0)); // shed float drift when empty
    e.extra0 = extraMs;
    e.base = B > 0 ? m.stepOverheadMs + denseMs(m, B) + m.lmHeadMs : m.stepOverheadMs;
    fleet.running[d] = B;
    // Sequences that joined without a token get their first at the end of the next step.
    const joined = this.#joinedWithoutToken;
    if (joined.length > 0) {
      const firstEnd = e.endOfStep(1, this.#kc);
      for (const f of joined) f.firstTokenMs = firstEnd;
      joined.length = 0;
    }
    if (B > 0) {
      const stepMs = e.base + this.#kc * e.s0;
      const t = fleet.tpotMs;
      t[d] = t[d] === 0 ? stepMs : t[d] + this.#alpha * (stepMs - t[d]);
    }
    fleet.refresh(d);
    e.inBoundary = false;
    // 8. Next event.
    if (B === 0 && e.stepFlights.length === 0) {
      e.active = false;
      e.eventStep = -1;
      e.gen++;
      return;
    }
    e.eventStep = e.stepFlights.length > 0 || e.outgoing.length > 0
      ? e.stepIdx0
      : e.heap[0].lastStep;
    const at = e.endOfStep(e.eventStep - e.stepIdx0 + 1, this.#kc);
    this.#queue.push(at, EV_DECODE_BOUNDARY, d, ++e.gen);
  }

  #join(d: number, e: DecodeEngine, f: Flight): void {
    const remainingOut = f.req.outputTokens - f.generated;
    f.joinStep = e.stepIdx0;
    f.ctxBase = f.req.promptTokens + f.generated;
    f.lastStep = e.stepIdx0 + remainingOut - 1;
    f.phase = Phase.Decoding;
    if (f.generated === 0) this.#joinedWithoutToken.push(f);
    e.heapPush(f);
    e.batchSize++;
    e.s0 += f.ctxBase;
    this.#cacheBlocks(d, f.req);
  }

  #localPrefillDone(d: number, e: DecodeEngine, f: Flight): void {
    this.#smoothTtft(d, this.#now - f.req.arrivalMs);
    this.#cacheBlocks(d, f.req);
    if (f.decodeWorker !== d) {
      // Prefilled here for another decode worker: hand off like a prefill worker.
      this.#fleet.inflight[d]--;
      this.#enqueueDecodeAdmit(f.decodeWorker, f);
      return;
    }
    // The step that finished the prompt produced the first token.
    f.firstTokenMs = this.#now;
    f.generated = 1;
    if (f.req.outputTokens === 1) {
      this.#complete(d, e, f);
      return;
    }
    this.#join(d, e, f);
  }

  #complete(d: number, e: DecodeEngine, f: Flight): void {
    const now = this.#now;
    this.#fleet.inflight[d]--;
    this.#freeKv(d, f.decodeKv);
    e.seats--;
    if (f.migrateTo >= 0) this.#cancelMigration(f);
    const r = this.#record;
    const req = f.req;
    r.id = req.id;
    r.arrivalMs = req.arrivalMs;
    r.prefillWorker = f.prefillWorker;
    r.decodeWorker = d;
    r.promptTokens = req.promptTokens;
    r.outputTokens = req.outputTokens;
    r.cachedTokens = f.cachedTokens;
    r.ttftMs = f.firstTokenMs - req.arrivalMs;
    r.tpotMs = req.outputTokens > 1 ? (now - f.firstTokenMs) / (req.outputTokens - 1) : NaN;
    r.e2eMs = now - req.arrivalMs;
    r.migrations = f.migrations;
    r.shedReason = ShedReason.None;
    f.phase = Phase.Done;
    this.#releaseFlight(f);
    this.#emit(r);
  }

  // ---- migration ----------------------------------------------------------------

  #rebalance(): void {
    const policy = this.#o.policy;
    if (!policy.rebalance) return;
    const fleet = this.#fleet;
    fleet.nowMs = this.#now;
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
    if (!src || !dst || fleet.healthy[to] !== 1 || !src.active) return;
    // Move the sequence with the most tokens left (the biggest relief per move).
    const cur = src.stepIdx0 + src.firstBoundaryAtOrAfter(this.#now, this.#kc) - 1;
    let pick: Flight | null = null;
    for (const f of src.heap) {
      if (f.migrateTo >= 0 || f.lastStep - cur < 2) continue;
      if (!pick || f.lastStep > pick.lastStep) pick = f;
    }
    if (!pick) return;
    const need = pick.req.promptTokens + pick.req.outputTokens;
    if (dst.seats >= this.#m.maxNumSeqs) return;
    if (fleet.kvUsedTokens[to] + need > fleet.kvCapacityTokens[to]) return;
    dst.seats++;
    this.#reserveKv(to, need);
    fleet.refresh(to);
    pick.migrateTo = to;
    pick.migrateDecidedMs = this.#now;
    src.outgoing.push(pick);
    this.#wake(from, src);
  }

  #cancelMigration(f: Flight): void {
    const to = f.migrateTo;
    const dst = this.#de[to]!;
    this.#freeKv(to, f.req.promptTokens + f.req.outputTokens);
    dst.seats--;
    f.migrateTo = -1;
    this.#fleet.refresh(to);
    this.#admitDecode(to, dst);
  }

  #migrateOut(d: number, e: DecodeEngine): void {
    for (const f of e.outgoing) {
      if (f.heapPos < 0 || f.migrateTo < 0) continue; // completed meanwhile
      e.heapRemove(f);
      e.batchSize--;
      e.s0 -= f.ctxBase + (e.stepIdx0 - f.joinStep);
      f.generated += e.stepIdx0 - f.joinStep;
      this.#freeKv(d, f.decodeKv);
      e.seats--;
      const to = f.migrateTo;
      this.#fleet.inflight[d]--;
      this.#fleet.inflight[to]++;
      f.decodeKv = f.req.promptTokens + f.req.outputTokens;
      f.decodeWorker = to;
      f.migrateTo = -1;
      f.migrations++;
      this.#migrations++;
      this.#o.onMigration?.(f.migrateDecidedMs, d, to);
      this.#startTransfer(d, f, f.req.promptTokens + f.generated, true);
    }
    e.outgoing.length = 0;
  }
}
