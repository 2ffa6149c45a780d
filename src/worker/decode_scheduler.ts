/**
 * A decode-capable engine: the decode pool of a disaggregated deployment, or a
 * colocated engine that also prefills (vLLM without disaggregation, or a decode worker
 * a policy asks to prefill locally).
 *
 * - **Admission**: FCFS by a seat (`maxNumSeqs`) and the request's KV, reserved whole
 *   (prompt + output) on admission.
 * - **Decode**: continuous batching; a sequence joins at the next step boundary and
 *   emits one token per step. Steps are computed in closed form between batch changes
 *   (`DecodeTimeline`), so events follow batch changes, not tokens.
 * - **Prefill on this engine**: prompt chunks ride along with decode steps within the
 *   step's token budget (mixed steps, vLLM's chunked prefill). A prompt prefilled here
 *   for another decode engine keeps its KV until that engine has pulled it.
 * - **Migration**: a sequence can leave for another engine at a boundary; the driver
 *   moves its KV.
 *
 * Clock-free: the driver passes "now" to every call and is asked
 * (`SchedulerHost.decodeBoundaryAt`) for the next boundary.
 *
 * @module
 */

import type { WorkerId } from "../core/types.ts";
import type { ExecutionModel } from "../model/execution_model.ts";
import { DecodeTimeline } from "./decode_timeline.ts";
import type { EngineKv } from "./engine.ts";
import { type Flight, FlightQueue, Phase } from "./flight.ts";
import type { SchedulerHost } from "./host.ts";

/**
 * One decode-capable engine.
 *
 * @example One request prefilled and decoded on a colocated engine
 * ```ts
 * import { DecodeScheduler } from "./decode_scheduler.ts";
 * import { createEngineGauges, EngineKv, ownBlockCache } from "./engine.ts";
 * import { Flight, Phase } from "./flight.ts";
 * import { createExecutionModel } from "../model/execution_model.ts";
 * import { LLAMA3_8B_H100 } from "../model/presets.ts";
 * const model = createExecutionModel(LLAMA3_8B_H100);
 * const kv = new EngineKv(createEngineGauges(1, model.kvCapacityTokens), ownBlockCache(1, 16));
 * let next = { at: NaN, gen: 0 };
 * let doneMs = NaN;
 * const host = {
 *   decodeBoundaryAt: (_w: number, at: number, gen: number) => { next = { at, gen }; },
 *   completed: (_w: number, _f: Flight) => { doneMs = next.at; },
 *   prefillStepAt() {}, changed() {}, prefillAdmitted() {}, prefillComputed() {},
 *   prefillDone() {}, decodeAdmitted() {}, transferNeeded() {}, stepTimed() {},
 *   migrationCancelled() {}, migratedOut() {},
 * };
 * const engine = new DecodeScheduler(0, model, kv, host);
 * const f = new Flight();
 * f.reset({ id: 1, arrivalMs: 0, promptTokens: 100, outputTokens: 3, maxTokens: 3,
 *   blocks: new Uint32Array(7), priority: 0, sessionId: -1 });
 * f.prefillWorker = f.decodeWorker = 0;
 * f.phase = Phase.PrefillQueued;
 * engine.enqueue(f, 0);
 * while (Number.isNaN(doneMs)) engine.onBoundary(next.at, next.gen);
 * if (!(f.firstTokenMs > 0 && doneMs > f.firstTokenMs)) throw new Error("tokens in order");
 * ```
 */
export class DecodeScheduler {
  /** This engine's worker id. */
  readonly worker: WorkerId;
  /** Waiting for admission (KV and seat). */
  readonly waiting: FlightQueue = new FlightQueue();
  /** The running batch and its timing. */
  readonly timeline: DecodeTimeline = new DecodeTimeline();
  /** Seats taken (running + joining + inbound transfers + local jobs). */
  seats = 0;
  /** Whether a segment is under way (something to step). */
  active = false;
  readonly #pendingJoin: Flight[] = [];
  #localQueue: Flight[] = [];
  readonly #stepFlights: Flight[] = [];
  readonly #stepChunks: number[] = [];
  readonly #outgoing: Flight[] = [];
  readonly #joinedWithoutToken: Flight[] = [];
  #inBoundary = false;
  #memoAtMs = NaN;
  #memoT0 = NaN;
  #memoIdx0 = -1;
  #memoBatch = -1;
  #memoStep = 0;
  #eventStep = -1;
  #gen = 0;
  readonly #model: ExecutionModel;
  readonly #kc: number;
  readonly #kv: EngineKv;
  readonly #host: SchedulerHost;

  /**
   * Creates an idle decode engine for `worker`.
   *
   * @param worker The engine's worker id (its slot in the gauges).
   * @param model Step times and limits.
   * @param kv The engines' KV accounting and prefix caches.
   * @param host The driver.
   */
  constructor(worker: WorkerId, model: ExecutionModel, kv: EngineKv, host: SchedulerHost) {
    this.worker = worker;
    this.#model = model;
    this.#kc = model.kvReadMsPerToken;
    this.#kv = kv;
    this.#host = host;
  }

  /**
   * Queues `f` for admission at `nowMs`: to prefill here when `f.phase` is
   * `Phase.PrefillQueued`, else to decode after a transfer. Admits what fits.
   */
  enqueue(f: Flight, nowMs: number): void {
    if (f.phase !== Phase.PrefillQueued) f.phase = Phase.DecodeAdmit;
    this.waiting.push(f);
    this.#kv.gauges.queued[this.worker]++;
    this.#host.changed(this.worker);
    this.admit(nowMs);
  }

  /** KV `f` needs here when admitted: its prompt when prefilled here for elsewhere. */
  kvNeed(f: Flight): number {
    const req = f.req;
    if (f.phase === Phase.PrefillQueued && f.decodeWorker !== this.worker) return req.promptTokens;
    return req.promptTokens + req.outputTokens;
  }

  /** Admits waiting flights FCFS while a seat and their KV are free. */
  admit(nowMs: number): void {
    const d = this.worker;
    const kv = this.#kv;
    const host = this.#host;
    for (;;) {
      const f = this.waiting.peek();
      if (!f) break;
      const need = this.kvNeed(f);
      if (this.seats >= this.#model.maxNumSeqs) break;
      if (!kv.fits(d, need)) break;
      this.waiting.shift();
      kv.gauges.queued[d]--;
      host.decodeAdmitted(d, f);
      this.seats++;
      kv.reserve(d, need);
      if (f.phase === Phase.PrefillQueued) {
        if (f.decodeWorker === d) f.decodeKv = need;
        else f.prefillKv = need;
        f.cachedTokens = kv.cache.cachedTokens(d, f.req);
        f.remaining = f.req.promptTokens - f.cachedTokens;
        f.phase = Phase.Prefilling;
        host.prefillAdmitted(d, f);
        this.#localQueue.push(f);
        this.wake(nowMs);
      } else {
        f.decodeKv = need;
        host.transferNeeded(d, f, f.req.promptTokens - kv.cache.cachedTokens(d, f.req));
      }
    }
    host.changed(d);
  }

  /** `f`'s KV arrived at `nowMs`: it joins the batch at the next boundary. */
  transferDone(f: Flight, nowMs: number): void {
    f.phase = Phase.Join;
    this.#pendingJoin.push(f);
    this.wake(nowMs);
  }

  /**
   * `f`, prefilled here for another decode engine, has been pulled at `nowMs`: free its
   * KV and seat here and admit what now fits.
   */
  releasePrefilled(f: Flight, nowMs: number): void {
    this.#kv.free(this.worker, f.prefillKv);
    f.prefillKv = 0;
    this.#host.changed(this.worker);
    this.seats--;
    this.admit(nowMs);
  }

  // ---- for a driver on a real clock (the emulator); the simulator calls none of these ----

  /**
   * Output tokens `f`, running here, has produced by `atMs`: what a driver that streams
   * tokens as they are due sends by then. Exact for `atMs` at or after the boundary the
   * driver reached last (tokens of earlier segments are counted, not timed).
   */
  tokensBy(f: Flight, atMs: number): number {
    if (f.phase === Phase.Done) return f.req.outputTokens;
    if (f.phase !== Phase.Decoding || !this.active) return f.generated;
    const last = Math.min(this.#lastStepEndedBy(atMs), f.lastStep);
    const n = last - f.joinStep + 1;
    return f.generated + (n > 0 ? n : 0);
  }

  /** The global index of the last step ended by `atMs` (memoised: a driver asks per flight). */
  #lastStepEndedBy(atMs: number): number {
    const t = this.timeline;
    if (
      atMs === this.#memoAtMs && t.t0 === this.#memoT0 && t.stepIdx0 === this.#memoIdx0 &&
      t.batchSize === this.#memoBatch
    ) return this.#memoStep;
    const kc = this.#kc;
    const m = t.firstBoundaryAtOrAfter(atMs, kc);
    const ended = t.endOfStep(m, kc) <= atMs ? m : m - 1;
    this.#memoAtMs = atMs;
    this.#memoT0 = t.t0;
    this.#memoIdx0 = t.stepIdx0;
    this.#memoBatch = t.batchSize;
    this.#memoStep = t.stepIdx0 + ended - 1;
    return this.#memoStep;
  }

  /**
   * When `f`'s `k`-th output token (1-based) is produced here, ms: the end of the step
   * that emits it. Exact for tokens of the current segment and for the first token of a
   * local prefill; `NaN` for tokens of earlier segments (a driver streams those before
   * it hands the boundary that ends their segment to {@linkcode onBoundary}).
   */
  tokenDueMs(f: Flight, k: number): number {
    if (k <= f.generated) return f.firstTokenMs;
    const t = this.timeline;
    const n = f.joinStep + (k - f.generated - 1) - t.stepIdx0 + 1;
    return n >= 1 ? t.endOfStep(n, this.#kc) : NaN;
  }

  /** The end of the first step that ends after `atMs`, ms (`Infinity` when idle). */
  nextStepEndAfter(atMs: number): number {
    if (!this.active) return Infinity;
    const t = this.timeline;
    const kc = this.#kc;
    const m = t.firstBoundaryAtOrAfter(atMs, kc);
    const end = t.endOfStep(m, kc);
    return end > atMs ? end : t.endOfStep(m + 1, kc);
  }

  /**
   * Withdraws `f` while it still waits for admission here (its client went away);
   * whether it was waiting. Admits what now fits.
   */
  withdrawWaiting(f: Flight, nowMs: number): boolean {
    if (!this.waiting.remove(f)) return false;
    this.#kv.gauges.queued[this.worker]--;
    f.phase = Phase.Done;
    this.#host.changed(this.worker);
    this.admit(nowMs);
    return true;
  }

  /**
   * `f` was admitted here to have its KV pulled from its prefill engine, and the pull
   * failed (vLLM's `kv_load_failure_policy: recompute`): prefill it here instead, within
   * the KV it reserved on admission (prompt + output).
   */
  recomputeLocally(f: Flight, nowMs: number): void {
    const d = this.worker;
    f.prefillWorker = d;
    f.cachedTokens = this.#kv.cache.cachedTokens(d, f.req);
    f.remaining = f.req.promptTokens - f.cachedTokens;
    f.phase = Phase.Prefilling;
    this.#host.prefillAdmitted(d, f);
    this.#localQueue.push(f);
    this.wake(nowMs);
  }

  /**
   * `f` was admitted here to have its KV pulled, and the pull failed for good (vLLM's
   * `kv_load_failure_policy: fail`): free its KV and seat, and admit what now fits.
   */
  dropAdmitted(f: Flight, nowMs: number): void {
    this.#kv.free(this.worker, f.decodeKv);
    f.decodeKv = 0;
    f.phase = Phase.Done;
    this.seats--;
    this.#host.changed(this.worker);
    this.admit(nowMs);
  }

  /** Makes sure a boundary event comes at the next step end (or now, when idle). */
  wake(nowMs: number): void {
    if (this.#inBoundary) return; // the boundary handler schedules the next event itself
    const t = this.timeline;
    const kc = this.#kc;
    if (!this.active) {
      this.active = true;
      t.t0 = nowMs;
      t.extra0 = 0;
      t.batchSize = 0;
      t.s0 = 0;
      t.base = this.#model.decodeBaseMs(0);
      this.#eventStep = t.stepIdx0 - 1;
      this.#host.decodeBoundaryAt(this.worker, nowMs, ++this.#gen);
      return;
    }
    const n = t.firstBoundaryAtOrAfter(nowMs, kc);
    const step = t.stepIdx0 + n - 1;
    if (step < this.#eventStep) {
      this.#eventStep = step;
      this.#host.decodeBoundaryAt(this.worker, t.endOfStep(n, kc), ++this.#gen);
    }
  }

  /**
   * The boundary asked for with generation `gen` is reached at `nowMs` (stale
   * generations are ignored): account the step that ended (prefill chunks,
   * completions, migrations), admit and join what can, plan the next step.
   */
  onBoundary(nowMs: number, gen: number): void {
    if (gen !== this.#gen) return;
    const d = this.worker;
    const m = this.#model;
    const t = this.timeline;
    const host = this.#host;
    this.#inBoundary = true;
    // 1. Advance the segment to this boundary.
    const n = this.#eventStep - t.stepIdx0 + 1;
    if (n > 0) {
      t.s0 += t.batchSize * n;
      t.stepIdx0 += n;
    }
    t.t0 = nowMs;
    // 2. Prefill chunks of the step that just ended.
    const stepFlights = this.#stepFlights, stepChunks = this.#stepChunks;
    if (n > 0 && stepFlights.length > 0) {
      let finished = 0;
      for (let i = 0; i < stepFlights.length; i++) {
        const f = stepFlights[i];
        f.remaining -= stepChunks[i];
        host.prefillComputed(d, f, stepChunks[i]);
        if (f.remaining === 0) finished++;
      }
      stepFlights.length = 0;
      stepChunks.length = 0;
      if (finished > 0) {
        const still: Flight[] = [];
        for (const f of this.#localQueue) {
          if (f.remaining > 0) still.push(f);
          else this.#prefillDone(f, nowMs);
        }
        this.#localQueue = still;
      }
    }
    // 3. Completions: sequences whose last step has ended.
    while (t.heap.length > 0 && t.heap[0].lastStep < t.stepIdx0) {
      const f = t.heap[0];
      t.heapRemove(f);
      t.batchSize--;
      t.s0 -= f.ctxBase + (t.stepIdx0 - f.joinStep);
      this.#complete(f);
    }
    // 4. Migrations away from this worker.
    if (this.#outgoing.length > 0) this.#migrateOut();
    // 5. Admissions freed by completions.
    this.admit(nowMs);
    // 6. Joins.
    for (const f of this.#pendingJoin) this.#join(f);
    this.#pendingJoin.length = 0;
    // 7. Prefill chunks for the next step.
    const B = t.batchSize;
    let extraMs = 0;
    const local = this.#localQueue;
    if (local.length > 0) {
      let budget = m.maxBatchedTokens - B;
      let tokens = 0, attnMs = 0;
      for (let i = 0; i < local.length && budget > 0; i++) {
        const f = local[i];
        const chunk = f.remaining < budget ? f.remaining : budget;
        attnMs += m.prefillAttentionMs(chunk, f.req.promptTokens - f.remaining);
        stepFlights.push(f);
        stepChunks.push(chunk);
        tokens += chunk;
        budget -= chunk;
      }
      extraMs = m.mixedStepExtraMs(B, tokens, attnMs);
    }
    if (t.s0 < 0.5) t.s0 = Math.max(0, Math.round(t.s0)); // shed float drift when empty
    t.extra0 = extraMs;
    t.base = m.decodeBaseMs(B);
    this.#kv.gauges.running[d] = B;
    // Sequences that joined without a token get their first at the end of the next step.
    const joined = this.#joinedWithoutToken;
    if (joined.length > 0) {
      const firstEnd = t.endOfStep(1, this.#kc);
      for (const f of joined) f.firstTokenMs = firstEnd;
      joined.length = 0;
    }
    if (B > 0) host.stepTimed(d, t.base + this.#kc * t.s0);
    host.changed(d);
    this.#inBoundary = false;
    // 8. Next event.
    if (B === 0 && stepFlights.length === 0) {
      this.active = false;
      this.#eventStep = -1;
      this.#gen++;
      return;
    }
    this.#eventStep = stepFlights.length > 0 || this.#outgoing.length > 0
      ? t.stepIdx0
      : t.heap[0].lastStep;
    const at = t.endOfStep(this.#eventStep - t.stepIdx0 + 1, this.#kc);
    host.decodeBoundaryAt(d, at, ++this.#gen);
  }

  /**
   * The running sequence to migrate at `nowMs`: the one with the most tokens left (the
   * biggest relief per move), not already moving, with at least two steps to go; or
   * `null`.
   */
  pickMigrant(nowMs: number): Flight | null {
    if (!this.active) return null;
    const t = this.timeline;
    const cur = t.stepIdx0 + t.firstBoundaryAtOrAfter(nowMs, this.#kc) - 1;
    let pick: Flight | null = null;
    for (const f of t.heap) {
      if (f.migrateTo >= 0 || f.lastStep - cur < 2) continue;
      if (!pick || f.lastStep > pick.lastStep) pick = f;
    }
    return pick;
  }

  /** Whether a migrant `f` fits here now (a seat and its prompt + output KV). */
  canHost(f: Flight): boolean {
    return this.seats < this.#model.maxNumSeqs &&
      this.#kv.fits(this.worker, f.req.promptTokens + f.req.outputTokens);
  }

  /** Reserves a seat and `f`'s prompt + output KV for an incoming migration. */
  reserveIncoming(f: Flight): void {
    this.seats++;
    this.#kv.reserve(this.worker, f.req.promptTokens + f.req.outputTokens);
    this.#host.changed(this.worker);
  }

  /** Releases what `reserveIncoming` took for `f` (it completed before moving). */
  cancelIncoming(f: Flight, nowMs: number): void {
    this.#kv.free(this.worker, f.req.promptTokens + f.req.outputTokens);
    this.seats--;
    f.migrateTo = -1;
    this.#host.changed(this.worker);
    this.admit(nowMs);
  }

  /** Marks running `f` to leave for `f.migrateTo` at the next boundary. */
  markOutgoing(f: Flight, nowMs: number): void {
    this.#outgoing.push(f);
    this.wake(nowMs);
  }

  #join(f: Flight): void {
    const t = this.timeline;
    const remainingOut = f.req.outputTokens - f.generated;
    f.joinStep = t.stepIdx0;
    f.ctxBase = f.req.promptTokens + f.generated;
    f.lastStep = t.stepIdx0 + remainingOut - 1;
    f.phase = Phase.Decoding;
    if (f.generated === 0) this.#joinedWithoutToken.push(f);
    t.heapPush(f);
    t.batchSize++;
    t.s0 += f.ctxBase;
    this.#kv.cachePrompt(this.worker, f.req);
  }

  #prefillDone(f: Flight, nowMs: number): void {
    this.#kv.cachePrompt(this.worker, f.req);
    this.#host.prefillDone(this.worker, f);
    if (f.decodeWorker !== this.worker) return; // handed to its decode engine
    // The step that finished the prompt produced the first token.
    f.firstTokenMs = nowMs;
    f.generated = 1;
    if (f.req.outputTokens === 1) {
      this.#complete(f);
      return;
    }
    this.#join(f);
  }

  #complete(f: Flight): void {
    this.#kv.free(this.worker, f.decodeKv);
    this.seats--;
    if (f.migrateTo >= 0) this.#host.migrationCancelled(f);
    f.phase = Phase.Done;
    this.#host.completed(this.worker, f);
  }

  #migrateOut(): void {
    const t = this.timeline;
    for (const f of this.#outgoing) {
      if (f.heapPos < 0 || f.migrateTo < 0) continue; // completed meanwhile
      t.heapRemove(f);
      t.batchSize--;
      t.s0 -= f.ctxBase + (t.stepIdx0 - f.joinStep);
      f.generated += t.stepIdx0 - f.joinStep;
      this.#kv.free(this.worker, f.decodeKv);
      this.seats--;
      this.#host.migratedOut(this.worker, f);
    }
    this.#outgoing.length = 0;
  }
}
