/**
 * Filling the simulator's reused request record for a shed or a completed request.
 *
 * @module
 */

import { type RequestRecord, ShedReason } from "../core/record.ts";
import type { InferenceRequest } from "../core/types.ts";
import type { Flight } from "../worker/flight.ts";

/** Fills `r` for `req`, shed for `reason` (a `ShedReason` code); returns `r`. */
export function shedRecord(r: RequestRecord, req: InferenceRequest, reason: number): RequestRecord {
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
  return r;
}

/** Fills `r` for `f`, which finished on decode `worker` at `nowMs`; returns `r`. */
export function doneRecord(
  r: RequestRecord,
  f: Flight,
  worker: number,
  nowMs: number,
): RequestRecord {
  const req = f.req;
  r.id = req.id;
  r.arrivalMs = req.arrivalMs;
  r.prefillWorker = f.prefillWorker;
  r.decodeWorker = worker;
  r.promptTokens = req.promptTokens;
  r.outputTokens = req.outputTokens;
  r.cachedTokens = f.cachedTokens;
  r.ttftMs = f.firstTokenMs - req.arrivalMs;
  r.tpotMs = req.outputTokens > 1 ? (nowMs - f.firstTokenMs) / (req.outputTokens - 1) : NaN;
  r.e2eMs = nowMs - req.arrivalMs;
  r.migrations = f.migrations;
  r.shedReason = ShedReason.None;
  return r;
}
