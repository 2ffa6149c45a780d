/**
 * One emulated engine on a real clock: the simulator's decode-capable scheduler
 * (`DecodeScheduler`, worker 0: continuous batching, chunked prefill in mixed steps, KV
 * capacity, its prefix cache), timed by the same execution model, driven by absolute
 * deadlines in model time.
 *
 * The loop keeps the scheduler's boundary events and its own timed calls on a heap and
 * arms one timer for the earliest of them and of the next step end (when tokens are
 * being produced). Whenever it runs (a timer, an HTTP request, a KV pull's answer) it
 * catches up: every event due by now is handled at its own due time, in order, and
 * before each one the tokens due by then are handed to their streams, each with its
 * due time, so a late wake-up delays tokens but never changes the model's timeline.
 *
 * Requests map onto the scheduler as the simulator's flights do: a plain request
 * prefills and decodes here; a prefill for a remote decode engine (`do_remote_decode`)
 * has its decode worker elsewhere, so the scheduler holds its KV after prefill until the
 * connector releases it; a request prefilled elsewhere is enqueued for decode admission
 * and its KV is pulled by the connector, paying the model's transfer time.
 *
 * @module
 */

import type { Clock } from "../../core/clock.ts";
import type { ExecutionModel } from "../../model/execution_model.ts";
import { DecodeScheduler } from "../../worker/decode_scheduler.ts";
import { createEngineGauges, type EngineCache, EngineKv } from "../../worker/engine.ts";
import { type Flight, Phase } from "../../worker/flight.ts";
import type { SchedulerHost } from "../../worker/host.ts";
import type { DeadlineTimer } from "./deadline_timer.ts";
import { EngineStats, type FinishedReason } from "./engine_stats.ts";
import {
  Job,
  JobMode,
  type JobSink,
  type JobSpec,
  type KvConnector,
  REMOTE_WORKER,
} from "./job.ts";

/** Options of {@linkcode EngineLoop}. */
export interface EngineLoopOptions {
  /** Step times and limits. */
  readonly model: ExecutionModel;
  /** The engine's prefix cache. */
  readonly cache: EngineCache;
  /** KV capacity, tokens (whole blocks). */
  readonly capacityTokens: number;
  /** Model time. */
  readonly clock: Clock;
  /** Makes the loop's deadline timer. */
  readonly timer: (onFire: () => void) => DeadlineTimer;
  /** Where to count (default: a fresh one). */
  readonly stats?: EngineStats;
}

interface LoopEvent {
  at: number;
  seq: number;
  gen: number;
  fn: (() => void) | undefined;
}

/** The engine's scheduler on a real clock (see the module doc). */
export class EngineLoop implements SchedulerHost {
  /** The scheduler (worker 0). */
  readonly scheduler: DecodeScheduler;
  /** Its KV accounting. */
  readonly kv: EngineKv;
  /** Its counters, model time. */
  readonly stats: EngineStats;
  /** The KV connector (P/D), when configured. */
  connector: KvConnector | undefined;
  readonly #model: ExecutionModel;
  readonly #clock: Clock;
  readonly #timer: DeadlineTimer;
  readonly #heap: LoopEvent[] = [];
  readonly #jobs = new Set<Job>();
  readonly #byFlight = new Map<Flight, Job>();
  #seq = 0;
  #ids = 0;
  #now = 0;
  #decoding = 0;
  #armedAtMs = Infinity;
  #frontFreeAtMs = 0;
  #wokeMs = 0;
  #busy = false;
  #closed = false;

  /** An idle engine. */
  constructor(o: EngineLoopOptions) {
    this.#model = o.model;
    this.#clock = o.clock;
    this.stats = o.stats ?? new EngineStats();
    this.kv = new EngineKv(createEngineGauges(1, o.capacityTokens), o.cache);
    this.scheduler = new DecodeScheduler(0, o.model, this.kv, this);
    this.#timer = o.timer(() => {
      if (this.#armedAtMs < Infinity) this.stats.wake.record(this.#clock.nowMs() - this.#armedAtMs);
      this.#armedAtMs = Infinity;
      this.advance();
    });
  }

  /** The loop's model time, ms (the last time it caught up to). */
  get nowMs(): number {
    return this.#now;
  }

  /** The execution model. */
  get model(): ExecutionModel {
    return this.#model;
  }

  /** Jobs not yet ended (held prefills included). */
  get jobs(): ReadonlySet<Job> {
    return this.#jobs;
  }

  /** Starts `spec` now; its output goes to `sink`. */
  submit(spec: JobSpec, sink: JobSink): Job {
    this.#catchUp();
    const now = this.#now;
    const job = new Job(++this.#ids, spec, sink, now);
    const f = job.flight;
    f.reset({
      id: job.id,
      arrivalMs: now,
      promptTokens: spec.promptTokens,
      outputTokens: spec.outputTokens,
      maxTokens: spec.maxTokens,
      blocks: spec.blocks,
      priority: 0,
      sessionId: -1,
    });
    f.prefillWorker = spec.mode === JobMode.Pull ? REMOTE_WORKER : 0;
    f.decodeWorker = spec.mode === JobMode.Prefill ? REMOTE_WORKER : 0;
    this.#jobs.add(job);
    this.#byFlight.set(f, job);
    // The front end (API server, tokeniser) takes the model's time, one request at a time,
    // as the simulator's FrontEnds: a prefill reaches the engine when it is through; a
    // decode hop is admitted at once and its KV pull waits for it (frontReadyMs).
    const start = now > this.#frontFreeAtMs ? now : this.#frontFreeAtMs;
    job.frontReadyMs = this.#frontFreeAtMs = start + this.#model.frontEndMs(spec.promptTokens);
    if (spec.mode === JobMode.Pull) {
      this.connector?.prepare(job);
      f.phase = Phase.DecodeAdmit;
      this.scheduler.enqueue(f, now);
    } else {
      f.phase = Phase.Free; // in the front end: neither waiting nor running on the engine
      this.#push(job.frontReadyMs, 0, () => this.#reachEngine(job));
    }
    this.#arm();
    return job;
  }

  #reachEngine(job: Job): void {
    if (job.finish !== "") return; // aborted in the front end
    if (job.aborted) {
      this.#end(job, "abort", this.#now);
      return;
    }
    job.flight.phase = Phase.PrefillQueued;
    this.scheduler.enqueue(job.flight, this.#now);
  }

  /**
   * `job`'s client went away: one in the front end or waiting leaves now, a decoding one
   * at the next step boundary; one prefilling or moving KV leaves once it reaches either.
   */
  abort(job: Job): void {
    if (job.finish !== "" || job.aborted) return;
    job.aborted = true;
    this.run((now) => {
      if (job.finish !== "") return;
      if (job.flight.phase === Phase.Free) this.#end(job, "abort", now); // in the front end
      else if (this.scheduler.withdrawWaiting(job.flight, now)) this.#end(job, "abort", now);
      else this.#dropIfDecoding(job, now);
    });
  }

  /** Runs `fn` at model time `atMs` (now when past), on the loop. */
  at(atMs: number, fn: () => void): void {
    this.#push(atMs, 0, fn);
    if (!this.#busy) this.#arm();
  }

  /** Catches up to now, then runs `fn(now)` on the loop (for answers from the network). */
  run(fn: (nowMs: number) => void): void {
    if (this.#closed) return;
    if (this.#busy) {
      this.#push(this.#now, 0, () => fn(this.#now)); // called from inside the loop: next
      return;
    }
    this.#catchUp();
    fn(this.#now);
    this.#arm();
  }

  /** Catches up to the clock: handles what is due, streams what is due, re-arms. */
  advance(): void {
    if (this.#closed) return;
    this.#catchUp();
    this.#arm();
  }

  /** A held prefill's KV was pulled or expired: free it here. */
  releaseHeld(job: Job, nowMs: number): void {
    if (job.flight.prefillKv > 0) this.scheduler.releasePrefilled(job.flight, nowMs);
    this.#jobs.delete(job);
    this.#byFlight.delete(job.flight);
  }

  /** A pulled job's KV arrived at `nowMs`: it joins the batch at the next boundary. */
  pulled(job: Job, nowMs: number): void {
    this.scheduler.transferDone(job.flight, nowMs);
  }

  /**
   * A pulled job's KV cannot be had: prefill it here (`recompute`) or fail it.
   */
  pullFailed(job: Job, recompute: boolean, reason: string, nowMs: number): void {
    this.stats.nixlFailed++;
    if (recompute && !job.aborted) {
      this.scheduler.recomputeLocally(job.flight, nowMs);
      return;
    }
    this.scheduler.dropAdmitted(job.flight, nowMs);
    job.error = reason;
    this.#end(job, job.aborted ? "abort" : "error", nowMs);
  }

  /** Stops the timer; jobs are left as they are. */
  close(): void {
    this.#closed = true;
    this.#timer.close();
  }

  // ---- the loop --------------------------------------------------------------------

  #catchUp(): void {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const t = Math.max(this.#clock.nowMs(), this.#now);
      this.#wokeMs = t;
      const h = this.#heap;
      while (h.length > 0 && h[0].at <= t) {
        const ev = h[0];
        if (ev.at > this.#now) {
          this.#emit(ev.at);
          this.#now = ev.at;
        }
        this.#pop();
        if (ev.fn) ev.fn();
        else this.scheduler.onBoundary(this.#now, ev.gen);
      }
      this.#now = t;
      this.#emit(t);
    } finally {
      this.#busy = false;
    }
  }

  #arm(): void {
    if (this.#closed || this.#busy) return;
    const ev = this.#heap.length > 0 ? this.#heap[0].at : Infinity;
    const step = this.#decoding > 0 ? this.scheduler.nextStepEndAfter(this.#now) : Infinity;
    const next = ev < step ? ev : step;
    this.#armedAtMs = next;
    if (next === Infinity) this.#timer.disarm();
    else this.#timer.arm(next);
  }

  /** Hands every decoding job the tokens it has produced by `t`. */
  #emit(t: number): void {
    let decoding = 0;
    for (const job of this.#jobs) {
      if (job.flight.phase !== Phase.Decoding) continue;
      decoding++;
      if (job.aborted) {
        this.#dropIfDecoding(job, t);
        continue;
      }
      const n = this.scheduler.tokensBy(job.flight, t);
      if (n > job.emitted) this.#deliver(job, n, t);
    }
    this.#decoding = decoding;
  }

  /** Tokens `job.emitted + 1 … n`, each timed; `fallbackMs` for one the timeline lost. */
  #deliver(job: Job, n: number, fallbackMs: number): void {
    const s = this.scheduler, st = this.stats, f = job.flight;
    const actual = this.#clock.nowMs();
    for (let k = job.emitted + 1; k <= n; k++) {
      let due = s.tokenDueMs(f, k);
      if (!(due <= fallbackMs)) due = fallbackMs;
      if (k === 1) {
        job.firstTokenMs = due;
        st.ttft.observe((due - job.arrivalMs) / 1000);
        st.prefill.observe((due - job.admittedMs) / 1000);
      } else st.itl.observe((due - job.lastDueMs) / 1000);
      if (job.spec.stream) {
        st.lateness.record(actual - due);
        st.work.record(actual - this.#wokeMs);
      }
      job.lastDueMs = due;
    }
    const from = job.emitted;
    job.emitted = n;
    if (job.spec.stream && !job.aborted) job.sink.tokens(job, from, n);
  }

  #dropIfDecoding(job: Job, now: number): void {
    const f = job.flight;
    if (f.phase !== Phase.Decoding || f.migrateTo >= 0) return;
    // Leaves the batch at the next boundary, as a migration would; migratedOut ends it.
    f.migrateTo = REMOTE_WORKER;
    this.scheduler.markOutgoing(f, now);
  }

  #end(job: Job, finish: FinishedReason, now: number): void {
    if (job.finish !== "") return;
    job.finish = finish;
    job.endMs = now;
    const st = this.stats;
    st.finished[finish]++;
    st.generationTokens += job.emitted;
    if (job.emitted > 0) {
      st.e2e.observe((now - job.arrivalMs) / 1000);
      st.decode.observe((now - job.firstTokenMs) / 1000);
      st.inference.observe((now - job.admittedMs) / 1000);
    }
    if (job.flight.prefillKv === 0) {
      this.#jobs.delete(job);
      this.#byFlight.delete(job.flight);
    }
    job.sink.done(job);
  }

  #push(at: number, gen: number, fn: (() => void) | undefined): void {
    const h = this.#heap;
    const ev: LoopEvent = { at, seq: ++this.#seq, gen, fn };
    let i = h.length;
    h.push(ev);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(ev, h[p])) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = ev;
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= h.length) break;
      if (c + 1 < h.length && before(h[c + 1], h[c])) c++;
      if (!before(h[c], last)) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = last;
  }

  // ---- scheduler host ----------------------------------------------------------------

  prefillStepAt(): void {} // a decode-capable engine has no prefill-only steps

  decodeBoundaryAt(_worker: number, atMs: number, gen: number): void {
    this.#push(atMs, gen, undefined);
  }

  changed(): void {}

  prefillAdmitted(_worker: number, f: Flight): void {
    const job = this.#byFlight.get(f)!;
    job.cachedTokens = f.cachedTokens;
    if (Number.isNaN(job.admittedMs)) job.admittedMs = this.#now;
    if (job.countOnce()) this.#countPrompt(job, f.cachedTokens);
  }

  prefillComputed(): void {}

  prefillDone(_worker: number, f: Flight): void {
    if (f.decodeWorker !== REMOTE_WORKER) return; // it decodes here: first token at once
    const job = this.#byFlight.get(f)!;
    const now = this.#now;
    // The prefill step sampled one token, which vLLM returns with finish_reason "length".
    f.firstTokenMs = now;
    f.generated = 1;
    this.#deliver(job, 1, now);
    if (job.aborted) {
      this.at(now, () => this.releaseHeld(job, this.#now)); // not from inside the step
      this.#end(job, "abort", now);
      return;
    }
    this.connector?.hold(job);
    this.#end(job, "length", now);
  }

  decodeAdmitted(_worker: number, f: Flight): void {
    const job = this.#byFlight.get(f)!;
    job.admittedMs = this.#now;
    this.stats.queue.observe((this.#now - job.arrivalMs) / 1000);
  }

  transferNeeded(_worker: number, f: Flight, tokens: number): void {
    const job = this.#byFlight.get(f)!;
    job.cachedTokens = f.req.promptTokens - tokens;
    if (job.countOnce()) this.#countPrompt(job, job.cachedTokens);
    f.phase = Phase.Transfer;
    const c = this.connector;
    if (!c) {
      this.at(this.#now, () => this.pullFailed(job, true, "no KV connector", this.#now));
    } else c.pull(job, tokens);
  }

  stepTimed(): void {}

  completed(_worker: number, f: Flight): void {
    const job = this.#byFlight.get(f)!;
    const now = this.#now;
    if (job.emitted < f.req.outputTokens) this.#deliver(job, f.req.outputTokens, now);
    const finish = job.aborted
      ? "abort"
      : job.spec.outputTokens < job.spec.maxTokens
      ? "stop"
      : "length";
    this.#end(job, finish, now);
  }

  migrationCancelled(): void {}

  migratedOut(_worker: number, f: Flight): void {
    const job = this.#byFlight.get(f)!; // only aborted jobs leave this way
    f.phase = Phase.Done;
    this.#end(job, "abort", this.#now);
  }

  #countPrompt(job: Job, cached: number): void {
    const st = this.stats;
    st.promptTokens += job.spec.promptTokens;
    st.prefixQueries += job.spec.promptTokens;
    st.prefixHits += cached;
  }
}

function before(a: LoopEvent, b: LoopEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
