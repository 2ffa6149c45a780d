/**
 * The driver side of the engine schedulers: what a scheduler asks of whoever runs it
 * (a clock to wake it, and a router to tell). The simulator implements it on a
 * virtual clock; the emulator on a real one. Schedulers never read a clock: every
 * call passes "now".
 *
 * @module
 */

import type { WorkerId } from "../core/types.ts";
import type { Flight } from "./flight.ts";

/**
 * Callbacks an engine scheduler makes. One object per driver, so that the calls stay
 * monomorphic; none of them may call back into the same scheduler synchronously
 * except where noted.
 */
export interface SchedulerHost {
  /** Asks for `PrefillScheduler.onStep(atMs)` of `worker` at `atMs`. */
  prefillStepAt(worker: WorkerId, atMs: number): void;
  /**
   * Asks for `DecodeScheduler.onBoundary(atMs, gen)` of `worker` at `atMs`. A later call
   * with a higher `gen` supersedes it (the scheduler ignores stale generations).
   */
  decodeBoundaryAt(worker: WorkerId, atMs: number, gen: number): void;
  /** The engine gauges of `worker` changed (queue, batch or KV). */
  changed(worker: WorkerId): void;
  /** `f`'s prompt was admitted for prefill on `worker`; `f.remaining` tokens to compute. */
  prefillAdmitted(worker: WorkerId, f: Flight): void;
  /** `tokens` more of `f`'s prompt were computed on `worker`. */
  prefillComputed(worker: WorkerId, f: Flight, tokens: number): void;
  /**
   * `f`'s prompt is computed on `worker` and its blocks cached there. When
   * `f.decodeWorker !== worker`, the driver hands it to its decode worker; otherwise the
   * scheduler goes on to decode it (the step produced its first token).
   */
  prefillDone(worker: WorkerId, f: Flight): void;
  /** Decode-capable `worker` admitted `f`, reserving its KV (and a seat). */
  decodeAdmitted(worker: WorkerId, f: Flight): void;
  /**
   * Decode `worker` admitted `f`, which was prefilled elsewhere: its KV must move here
   * (`tokens` tokens not already cached). The driver calls `transferDone` when it has.
   */
  transferNeeded(worker: WorkerId, f: Flight, tokens: number): void;
  /** A decode step of `worker` is about to take `stepMs` (the router's TPOT sample). */
  stepTimed(worker: WorkerId, stepMs: number): void;
  /** `f` produced its last token on `worker` at the current time; its KV is freed. */
  completed(worker: WorkerId, f: Flight): void;
  /** `f`, which was to migrate, completed first: release what its target reserved. */
  migrationCancelled(f: Flight): void;
  /**
   * `f` left `worker` for `f.migrateTo` after `f.generated` tokens; its KV here is freed.
   * The driver moves its KV (prompt + generated) and calls `transferDone` on the target.
   */
  migratedOut(worker: WorkerId, f: Flight): void;
}
