/**
 * The packed operation stream between {@linkcode RunExporter} and its
 * {@linkcode RunWriter} (same thread or a worker): requests, fleet layouts, samples and
 * migrations as numbers in a `Float64Array`, so that a batch moves between threads by
 * transfer, without copying or allocating per record.
 *
 * @module
 */

import { createRequestRecord, type RequestRecord } from "../core/record.ts";
import type { FleetSnapshot } from "../core/types.ts";
import { packSample, SAMPLE_FIELDS } from "../metrics/fleet_sample.ts";
import type { RunMeta, RunWriter } from "./run_writer.ts";

/** Op codes (the first number of each op). */
export const Op = {
  /** 12 numbers: a request record. */
  Request: 1,
  /** `n`, then `n` roles: the fleet layout of the current policy. */
  Fleet: 2,
  /** `tMs`, `n`, then `n × SAMPLE_FIELDS` numbers: a fleet sample. */
  Sample: 3,
  /** `decidedMs`, `from`, `to`: a migration. */
  Migration: 4,
} as const;

/** Numbers taken by a request op. */
export const REQUEST_OP_SIZE = 13;

/** Numbers taken by a fleet op for `n` workers. */
export function fleetOpSize(n: number): number {
  return 2 + n;
}

/** Numbers taken by a sample op for `n` workers. */
export function sampleOpSize(n: number): number {
  return 3 + n * SAMPLE_FIELDS;
}

/** Numbers taken by a migration op. */
export const MIGRATION_OP_SIZE = 4;

/** Writes a request op at `k`; returns the next offset. */
export function putRequest(buf: Float64Array, k: number, r: Readonly<RequestRecord>): number {
  buf[k] = Op.Request;
  buf[k + 1] = r.id;
  buf[k + 2] = r.arrivalMs;
  buf[k + 3] = r.prefillWorker;
  buf[k + 4] = r.decodeWorker;
  buf[k + 5] = r.promptTokens;
  buf[k + 6] = r.outputTokens;
  buf[k + 7] = r.cachedTokens;
  buf[k + 8] = r.ttftMs;
  buf[k + 9] = r.tpotMs;
  buf[k + 10] = r.e2eMs;
  buf[k + 11] = r.migrations;
  buf[k + 12] = r.shedReason;
  return k + REQUEST_OP_SIZE;
}

/** Writes a fleet op at `k`; returns the next offset. */
export function putFleet(buf: Float64Array, k: number, fleet: FleetSnapshot): number {
  buf[k] = Op.Fleet;
  buf[k + 1] = fleet.n;
  for (let w = 0; w < fleet.n; w++) buf[k + 2 + w] = fleet.role[w];
  return k + fleetOpSize(fleet.n);
}

/** Writes a sample op at `k`; returns the next offset. */
export function putSample(buf: Float64Array, k: number, fleet: FleetSnapshot, tMs: number): number {
  buf[k] = Op.Sample;
  buf[k + 1] = tMs;
  buf[k + 2] = fleet.n;
  packSample(fleet, buf, k + 3);
  return k + sampleOpSize(fleet.n);
}

/** Writes a migration op at `k`; returns the next offset. */
export function putMigration(
  buf: Float64Array,
  k: number,
  decidedMs: number,
  from: number,
  to: number,
): number {
  buf[k] = Op.Migration;
  buf[k + 1] = decidedMs;
  buf[k + 2] = from;
  buf[k + 3] = to;
  return k + MIGRATION_OP_SIZE;
}

const scratch = createRequestRecord();

/**
 * Replays the ops in `buf[0..length)` on `writer`.
 *
 * @throws {RangeError} On an unknown op code (a bug).
 */
export function applyOps(writer: RunWriter, buf: Float64Array, length: number): void {
  let k = 0;
  while (k < length) {
    switch (buf[k]) {
      case Op.Request: {
        const r = scratch;
        r.id = buf[k + 1];
        r.arrivalMs = buf[k + 2];
        r.prefillWorker = buf[k + 3];
        r.decodeWorker = buf[k + 4];
        r.promptTokens = buf[k + 5];
        r.outputTokens = buf[k + 6];
        r.cachedTokens = buf[k + 7];
        r.ttftMs = buf[k + 8];
        r.tpotMs = buf[k + 9];
        r.e2eMs = buf[k + 10];
        r.migrations = buf[k + 11];
        r.shedReason = buf[k + 12];
        writer.request(r);
        k += REQUEST_OP_SIZE;
        break;
      }
      case Op.Fleet: {
        const n = buf[k + 1];
        writer.setFleet(buf.subarray(k + 2, k + 2 + n));
        k += fleetOpSize(n);
        break;
      }
      case Op.Sample: {
        const n = buf[k + 2];
        writer.samplePacked(buf[k + 1], buf, k + 3);
        k += sampleOpSize(n);
        break;
      }
      case Op.Migration:
        writer.migration(buf[k + 1], buf[k + 2], buf[k + 3]);
        k += MIGRATION_OP_SIZE;
        break;
      default:
        throw new RangeError(`Cannot apply export ops: unknown op ${buf[k]} at ${k}`);
    }
  }
}

/** Messages to the export worker. */
export type ToWorker =
  | { t: "open"; dir: string; sampleMs: number; label: string }
  | { t: "policy"; name: string }
  | { t: "batch"; buf: Float64Array<ArrayBuffer>; length: number }
  | { t: "finish"; meta: RunMeta };

/** Messages from the export worker. */
export type FromWorker =
  | { t: "ack"; buf: Float64Array<ArrayBuffer> }
  | { t: "done"; files: string[] }
  | { t: "error"; message: string };
