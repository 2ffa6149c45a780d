import { deepEqual, equal } from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { Role } from "../core/types.ts";
import { FleetState } from "../testing/fleet.ts";
import type { CsvValue } from "./csv.ts";
import {
  packSample,
  poolName,
  poolRole,
  SAMPLE_FIELDS,
  sampleCsvRows,
  TIMESERIES_CSV_COLUMNS,
} from "./fleet_sample.ts";

Deno.test("pool rows are the sums of their workers' rows", () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(Role.Prefill, Role.Decode, Role.Both), {
        minLength: 1,
        maxLength: 8,
      }),
      fc.array(fc.nat(1000), { minLength: 8 * 4, maxLength: 8 * 4 }),
      (roles, loads) => {
        const fleet = new FleetState(roles, 5000, 16);
        roles.forEach((_, w) => {
          fleet.queued[w] = loads[4 * w];
          fleet.running[w] = loads[4 * w + 1];
          fleet.queuedPrefillTokens[w] = loads[4 * w + 2];
          fleet.kvUsedTokens[w] = loads[4 * w + 3];
        });
        const values = new Float64Array(1 + roles.length * SAMPLE_FIELDS);
        packSample(fleet, values, 1);
        const rows: CsvValue[][] = [];
        sampleCsvRows("p", 250, Uint8Array.from(roles), values, 1, (r) => rows.push(r));
        const col = (name: string) => TIMESERIES_CSV_COLUMNS.indexOf(name);
        const workers = rows.filter((r) => r[col("scope")] === "worker");
        const pools = rows.filter((r) => r[col("scope")] === "pool");
        equal(workers.length, roles.length);
        deepEqual(
          pools.map((r) => r[col("pool")]),
          [Role.Prefill, Role.Decode, Role.Both].filter((x) => roles.includes(x)).map(poolName),
        );
        for (const pool of pools) {
          const members = workers.filter((w) => w[col("pool")] === pool[col("pool")]);
          for (const f of ["queued", "running", "queued_prefill_tokens", "kv_used_tokens"]) {
            equal(pool[col(f)], members.reduce((s, w) => s + (w[col(f)] as number), 0));
          }
          equal(pool[col("kv_capacity_tokens")], 5000 * members.length);
          equal(
            pool[col("kv_usage_frac")],
            (pool[col("kv_used_tokens")] as number) / (5000 * members.length),
          );
        }
        for (const r of rows) equal(r.length, TIMESERIES_CSV_COLUMNS.length);
      },
    ),
  );
});

Deno.test("poolRole inverts poolName", () => {
  for (const role of [Role.Prefill, Role.Decode, Role.Both]) equal(poolRole(poolName(role)), role);
  equal(poolRole("gpu"), 0);
});
