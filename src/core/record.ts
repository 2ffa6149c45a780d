/**
 * What happened to one request: the row the simulator (and later the load generator)
 * emits and the metrics layer summarises.
 *
 * @module
 */

import type { WorkerId } from "./types.ts";

/** Why a request ended without completing (`0` = it completed). Numbers, not strings. */
export const ShedReason = {
  /** Completed normally. */
  None: 0,
  /** The policy shed it under overload. */
  Overload: 1,
  /** No healthy worker of a needed role. */
  NoWorker: 2,
  /** It can never fit: its KV need exceeds a worker's whole capacity. */
  TooLarge: 3,
} as const;

/** Display names of {@linkcode ShedReason} codes, indexed by code. */
export const SHED_REASON_NAMES: readonly string[] = ["", "overload", "no-worker", "too-large"];

/**
 * One request's outcome. Times are ms from the start of the run. For a shed
 * request, latency fields are `NaN` and `shedReason` is non-zero.
 */
export interface RequestRecord {
  /** Request id. */
  id: number;
  /** Arrival time, ms. */
  arrivalMs: number;
  /** Prefill worker (`-1` when none). */
  prefillWorker: WorkerId;
  /** Decode worker at completion (`-1` when none). */
  decodeWorker: WorkerId;
  /** Prompt tokens. */
  promptTokens: number;
  /** Output tokens. */
  outputTokens: number;
  /** Prompt tokens served from the prefill worker's prefix cache. */
  cachedTokens: number;
  /** Arrival → first output token at the client, ms. */
  ttftMs: number;
  /** (last − first token) ÷ (output tokens − 1), ms; `NaN` for one-token outputs. */
  tpotMs: number;
  /** Arrival → last token, ms. */
  e2eMs: number;
  /** Decode migrations this request went through. */
  migrations: number;
  /** A {@linkcode ShedReason} code. */
  shedReason: number;
}

/** Creates a blank record (for reuse by a producer). */
export function createRequestRecord(): RequestRecord {
  return {
    id: 0,
    arrivalMs: 0,
    prefillWorker: -1,
    decodeWorker: -1,
    promptTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    ttftMs: NaN,
    tpotMs: NaN,
    e2eMs: NaN,
    migrations: 0,
    shedReason: ShedReason.None,
  };
}
