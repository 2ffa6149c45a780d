/**
 * One sample of the fleet's per-worker load, packed into a `Float64Array`, and the
 * `timeseries.csv` layout that spells it out per worker and per pool.
 *
 * @module
 */

import { Role } from "../core/types.ts";
import type { FleetSnapshot } from "../core/types.ts";
import type { CsvValue } from "./csv.ts";

/**
 * Values per worker in a packed sample, in this order: queued requests, running
 * requests, queued prefill tokens, KV tokens used, KV capacity in tokens.
 */
export const SAMPLE_FIELDS = 5;

/** Offsets of the fields within one worker's slice of a packed sample. */
export const SampleField = {
  /** Requests waiting. */
  Queued: 0,
  /** Requests running. */
  Running: 1,
  /** Uncached prompt tokens still to compute. */
  QueuedPrefillTokens: 2,
  /** KV tokens allocated or reserved. */
  KvUsedTokens: 3,
  /** KV capacity, tokens. */
  KvCapacityTokens: 4,
} as const;

/** Pool name of a {@linkcode Role} value: `prefill`, `decode` or `colocated`. */
export function poolName(role: number): string {
  return role === Role.Prefill ? "prefill" : role === Role.Decode ? "decode" : "colocated";
}

/** The {@linkcode Role} value of a pool name (`0` when unknown). */
export function poolRole(pool: string): number {
  return pool === "prefill" ? Role.Prefill : pool === "decode" ? Role.Decode : pool ===
      "colocated"
    ? Role.Both
    : 0;
}

/**
 * Copies the fleet's per-worker load into `out` at `offset` (`fleet.n × SAMPLE_FIELDS`
 * values).
 *
 * @example
 * ```ts
 * import { packSample, SAMPLE_FIELDS } from "./fleet_sample.ts";
 * import { FleetState } from "../fleet/fleet_state.ts";
 * import { Role } from "../core/types.ts";
 * const fleet = new FleetState([Role.Prefill, Role.Decode], 1000, 16);
 * fleet.queued[0] = 3;
 * const out = new Float64Array(2 * SAMPLE_FIELDS);
 * packSample(fleet, out, 0);
 * if (out[0] !== 3 || out[SAMPLE_FIELDS + 4] !== 1000) throw new Error("bad sample");
 * ```
 */
export function packSample(fleet: FleetSnapshot, out: Float64Array, offset: number): void {
  let k = offset;
  for (let w = 0; w < fleet.n; w++) {
    out[k++] = fleet.queued[w];
    out[k++] = fleet.running[w];
    out[k++] = fleet.queuedPrefillTokens[w];
    out[k++] = fleet.kvUsedTokens[w];
    out[k++] = fleet.kvCapacityTokens[w];
  }
}

/**
 * Columns of `timeseries.csv`. `scope` is `worker` (one worker; `worker` holds its id)
 * or `pool` (sums over the pool's workers; `worker` is empty); `kv_usage_frac` is KV
 * tokens used ÷ capacity (for a pool, summed over its workers).
 */
export const TIMESERIES_CSV_COLUMNS: readonly string[] = [
  "policy",
  "time_ms",
  "scope",
  "pool",
  "worker",
  "queued",
  "running",
  "queued_prefill_tokens",
  "kv_used_tokens",
  "kv_capacity_tokens",
  "kv_usage_frac",
];

/**
 * Calls `write` with the `timeseries.csv` rows of one packed sample: one row per worker,
 * then one per pool present (prefill, decode, colocated).
 *
 * @example
 * ```ts
 * import { sampleCsvRows, SAMPLE_FIELDS } from "./fleet_sample.ts";
 * import { Role } from "../core/types.ts";
 * const roles = Uint8Array.of(Role.Prefill, Role.Decode, Role.Decode);
 * const values = new Float64Array(3 * SAMPLE_FIELDS);
 * values[SAMPLE_FIELDS + 3] = 10; values[SAMPLE_FIELDS + 4] = 100; // worker 1: 10 of 100
 * values[2 * SAMPLE_FIELDS + 3] = 30; values[2 * SAMPLE_FIELDS + 4] = 100; // worker 2: 30 of 100
 * const rows: unknown[][] = [];
 * sampleCsvRows("rr", 500, roles, values, 0, (r) => rows.push(r));
 * const decode = rows.find((r) => r[2] === "pool" && r[3] === "decode")!;
 * if (rows.length !== 5 || decode[10] !== 0.2) throw new Error("bad pool row");
 * ```
 */
export function sampleCsvRows(
  policy: string,
  tMs: number,
  roles: Uint8Array,
  values: Float64Array,
  offset: number,
  write: (row: CsvValue[]) => void,
): void {
  const n = roles.length;
  for (let w = 0; w < n; w++) {
    const k = offset + w * SAMPLE_FIELDS;
    const used = values[k + SampleField.KvUsedTokens];
    const cap = values[k + SampleField.KvCapacityTokens];
    write([
      policy,
      tMs,
      "worker",
      poolName(roles[w]),
      w,
      values[k],
      values[k + 1],
      values[k + 2],
      used,
      cap,
      cap > 0 ? used / cap : NaN,
    ]);
  }
  for (const role of [Role.Prefill, Role.Decode, Role.Both]) {
    let present = false, queued = 0, running = 0, tokens = 0, used = 0, cap = 0;
    for (let w = 0; w < n; w++) {
      if (roles[w] !== role) continue;
      const k = offset + w * SAMPLE_FIELDS;
      present = true;
      queued += values[k];
      running += values[k + 1];
      tokens += values[k + 2];
      used += values[k + 3];
      cap += values[k + 4];
    }
    if (!present) continue;
    write([
      policy,
      tMs,
      "pool",
      poolName(role),
      "",
      queued,
      running,
      tokens,
      used,
      cap,
      cap > 0 ? used / cap : NaN,
    ]);
  }
}
