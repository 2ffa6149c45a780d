/**
 * A prefill-only engine (the prefill pool of a disaggregated deployment), scheduled as
 * vLLM v1 does: running requests first, then waiting ones admitted FCFS while the
 * step's token budget, the seats and the KV allow (head-of-line blocking); each step
 * computes chunks of the running prompts within `maxBatchedTokens` (chunked prefill).
 * Cached prompt blocks (the engine's prefix cache) are not computed. A prompt's KV
 * stays reserved until its decode engine has pulled it (`release`).
 *
 * Clock-free: the driver calls `enqueue`, `onStep` and `release` with the current time
 * and is asked (`SchedulerHost.prefillStepAt`) for the next step end.
 *
 * @module
 */

import type { WorkerId } from "../core/types.ts";
import type { ExecutionModel } from "../model/execution_model.ts";
import type { EngineKv } from "./engine.ts";
import { type Flight, FlightQueue, Phase } from "./flight.ts";
import type { SchedulerHost } from "./host.ts";

/**
 * One prefill-only engine.
 *
 * @example
 * ```ts
 * import { PrefillScheduler } from "./prefill_scheduler.ts";
 * import { createEngineGauges, EngineKv, ownBlockCache } from "./engine.ts";
 * import { Flight } from "./flight.ts";
 * import { createExecutionModel } from "../model/execution_model.ts";
 * import { LLAMA3_8B_H100 } from "../model/presets.ts";
 * const model = createExecutionModel(LLAMA3_8B_H100);
 * const kv = new EngineKv(createEngineGauges(1, model.kvCapacityTokens), ownBlockCache(1, 16));
 * let stepEnd = NaN;
 * const done: number[] = [];
 * const host = {
 *   prefillStepAt: (_w: number, at: number) => { stepEnd = at; },
 *   prefillDone: (_w: number, f: Flight) => { done.push(f.req.id); },
 *   decodeBoundaryAt() {}, changed() {}, prefillAdmitted() {}, prefillComputed() {},
 *   decodeAdmitted() {}, transferNeeded() {}, stepTimed() {}, completed() {},
 *   migrationCancelled() {}, migratedOut() {},
 * };
 * const engine = new PrefillScheduler(0, model, kv, host);
 * const f = new Flight();
 * f.reset({ id: 7, arrivalMs: 0, promptTokens: 512, outputTokens: 8, maxTokens: 8,
 *   blocks: new Uint32Array(32), priority: 0, sessionId: -1 });
 * f.decodeWorker = 1;
 * engine.enqueue(f, 0);
 * engine.onStep(stepEnd);
 * if (done[0] !== 7) throw new Error("one step prefills 512 tokens");
 * ```
 */
export class PrefillScheduler {
  /** This engine's worker id. */
  readonly worker: WorkerId;
  /** Dispatched, not yet admitted, FCFS. */
  readonly waiting: FlightQueue = new FlightQueue();
  /** Admitted and prefilling, FCFS. */
  running: Flight[] = [];
  readonly #batch: Flight[] = [];
  readonly #chunks: number[] = [];
  #busy = false;
  readonly #model: ExecutionModel;
  readonly #kv: EngineKv;
  readonly #host: SchedulerHost;

  /**
   * Creates an idle prefill engine for `worker`.
   *
   * @param worker The engine's worker id (its slot in the gauges).
   * @param model Step times and limits.
   * @param kv The engines' KV accounting and prefix caches.
   * @param host The driver.
   */
  constructor(worker: WorkerId, model: ExecutionModel, kv: EngineKv, host: SchedulerHost) {
    this.worker = worker;
    this.#model = model;
    this.#kv = kv;
    this.#host = host;
  }

  /** Whether a step is under way. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Queues `f` for prefill at `nowMs` and starts a step when idle. */
  enqueue(f: Flight, nowMs: number): void {
    this.waiting.push(f);
    this.#kv.gauges.queued[this.worker]++;
    this.#host.changed(this.worker);
    this.#kick(nowMs);
  }

  /** The step under way ended at `nowMs`: account its chunks, then start the next. */
  onStep(nowMs: number): void {
    const w = this.worker;
    const host = this.#host;
    this.#busy = false;
    let finished = 0;
    const batch = this.#batch, chunks = this.#chunks;
    for (let i = 0; i < batch.length; i++) {
      const f = batch[i];
      f.remaining -= chunks[i];
      host.prefillComputed(w, f, chunks[i]);
      if (f.remaining === 0) finished++;
    }
    if (finished > 0) {
      const still: Flight[] = [];
      for (const f of this.running) {
        if (f.remaining > 0) {
          still.push(f);
          continue;
        }
        this.#kv.gauges.running[w]--;
        this.#kv.cachePrompt(w, f.req);
        host.prefillDone(w, f);
      }
      this.running = still;
    }
    this.#kick(nowMs);
  }

  /** `f`'s KV left for its decode engine at `nowMs`: free it (its blocks stay cached). */
  release(f: Flight, nowMs: number): void {
    this.#kv.free(this.worker, f.prefillKv);
    f.prefillKv = 0;
    this.#host.changed(this.worker);
    this.#kick(nowMs);
  }

  /** Admits what fits and starts a step, unless one is under way. */
  #kick(nowMs: number): void {
    if (this.#busy) return;
    const w = this.worker;
    const m = this.#model;
    const kv = this.#kv;
    const g = kv.gauges;
    const budgetTokens = m.maxBatchedTokens;
    // vLLM v1 schedules running requests first, then admits waiting ones FCFS while the
    // step's token budget, the seats and the KV allow (head-of-line blocking).
    let pending = 0;
    for (let i = 0; i < this.running.length && pending < budgetTokens; i++) {
      pending += this.running[i].remaining;
    }
    for (;;) {
      const f = this.waiting.peek();
      if (!f || pending >= budgetTokens) break;
      const need = f.req.promptTokens;
      if (this.running.length >= m.maxNumSeqs) break;
      if (!kv.fits(w, need)) break;
      this.waiting.shift();
      f.cachedTokens = kv.cache.cachedTokens(w, f.req);
      f.remaining = f.req.promptTokens - f.cachedTokens;
      f.phase = Phase.Prefilling;
      this.#host.prefillAdmitted(w, f);
      pending += f.remaining;
      f.prefillKv = need;
      kv.reserve(w, need);
      this.running.push(f);
      g.queued[w]--;
      g.running[w]++;
    }
    let budget = budgetTokens;
    let tokens = 0, attnMs = 0;
    const batch = this.#batch, chunks = this.#chunks;
    batch.length = 0;
    chunks.length = 0;
    for (let i = 0; i < this.running.length && budget > 0; i++) {
      const f = this.running[i];
      const chunk = f.remaining < budget ? f.remaining : budget;
      attnMs += m.prefillAttentionMs(chunk, f.req.promptTokens - f.remaining);
      batch.push(f);
      chunks.push(chunk);
      tokens += chunk;
      budget -= chunk;
    }
    this.#host.changed(w);
    if (tokens === 0) return;
    this.#busy = true;
    this.#host.prefillStepAt(w, nowMs + m.stepMs(tokens, attnMs, true));
  }
}
