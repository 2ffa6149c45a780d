/**
 * A request as the emulated engine sees it (`Job`), how it runs (`JobMode`), where its
 * output goes (`JobSink`), and the KV connector a P/D hand-off calls (`KvConnector`).
 *
 * @module
 */

import { Flight } from "../../worker/flight.ts";
import type { FinishedReason } from "./engine_stats.ts";

/** The worker id of "another engine" (the remote side of a P/D hand-off). */
export const REMOTE_WORKER = 1;

/** How a job runs here. */
export const JobMode = {
  /** Prefill and decode here. */
  Local: 0,
  /** Prefill here for a remote decode engine; hold the KV until it is pulled. */
  Prefill: 1,
  /** Prefilled elsewhere: pull the KV, then decode here. */
  Pull: 2,
} as const;

/** One of the {@linkcode JobMode} values. */
export type JobModeValue = typeof JobMode[keyof typeof JobMode];

/** What a request asks of the engine. */
export interface JobSpec {
  /** The request's id on this engine (unique; a P/D hand-off names it). */
  readonly requestId: string;
  /** Prompt tokens. */
  readonly promptTokens: number;
  /** The prompt's engine-block hashes. */
  readonly blocks: Uint32Array;
  /** Tokens to generate here (a prefill for a remote decode engine: 1). */
  readonly outputTokens: number;
  /** The request's token limit. */
  readonly maxTokens: number;
  /** How it runs. */
  readonly mode: JobModeValue;
  /** Whether its tokens go out as they are due (else only the end is reported). */
  readonly stream: boolean;
  /** A pulled job's `kv_transfer_params` (where its KV is). */
  readonly kvParams?: Readonly<Record<string, unknown>>;
}

/** Where a job's output goes (the HTTP response). */
export interface JobSink {
  /** Tokens `from + 1 … to` of `job` are due now (streamed jobs only, in order). */
  tokens(job: Job, from: number, to: number): void;
  /** `job` ended; `job.finish` says how. */
  done(job: Job): void;
}

/** One request on the engine, and its timeline in model ms. */
export class Job {
  /** Sequence number on this engine. */
  readonly id: number;
  /** What it asks. */
  readonly spec: JobSpec;
  /** Where its output goes. */
  readonly sink: JobSink;
  /** Its scheduler flight. */
  readonly flight: Flight = new Flight();
  /** Arrival, ms. */
  readonly arrivalMs: number;
  /** When the front end (tokeniser) is through with it, ms. */
  frontReadyMs: number = NaN;
  /** Admission (scheduled), ms. */
  admittedMs: number = NaN;
  /** First token due, ms. */
  firstTokenMs: number = NaN;
  /** Last token (or the failure), ms. */
  endMs: number = NaN;
  /** Tokens handed out so far. */
  emitted = 0;
  /** Due time of the last token handed out, ms. */
  lastDueMs: number = NaN;
  /** Prompt tokens served from the prefix cache. */
  cachedTokens = 0;
  /** How it ended (`""` while running). */
  finish: "" | FinishedReason = "";
  /** Why it failed, when it did. */
  error = "";
  /** Its client went away. */
  aborted = false;
  /** The KV connector's state for it. */
  connector: unknown = undefined;
  #counted = false;

  /** @internal */
  constructor(id: number, spec: JobSpec, sink: JobSink, arrivalMs: number) {
    this.id = id;
    this.spec = spec;
    this.sink = sink;
    this.arrivalMs = arrivalMs;
  }

  /** @internal Whether its prompt was counted (once, even when it is recomputed). */
  countOnce(): boolean {
    if (this.#counted) return false;
    this.#counted = true;
    return true;
  }
}

/** Moves KV between engines (the NixlConnector's part of a P/D hand-off). */
export interface KvConnector {
  /** A job prefilled elsewhere arrived: look its KV up now, ahead of its admission. */
  prepare(job: Job): void;
  /** A prefill-only job's prompt is done: hold its KV until it is pulled or expires. */
  hold(job: Job): void;
  /** A job prefilled elsewhere was admitted: pull `tokens` tokens of its KV. */
  pull(job: Job, tokens: number): void;
}
