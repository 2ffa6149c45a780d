/**
 * Allocation check: makes 10^6 routing decisions per policy on a loaded fleet and
 * reports heap growth from `Deno.memoryUsage()`.
 *
 * - `allocatedBytes`: heap growth with no collection in between, summed over chunks
 *   of 10^5 decisions, each started right after a full GC. Run with a young
 *   generation large enough to hold a chunk's garbage (the `--v8-flags` below), so
 *   that anything a decision allocates shows up instead of being swept.
 * - `retainedBytes`: growth from before the first chunk to after a final full GC.
 *
 * Each policy first makes 2·10^5 decisions unmeasured: until V8 has compiled the
 * route, interpreted code boxes floating-point values on the heap (megabytes over
 * the first 10^5 decisions), which says nothing about the compiled hot path.
 *
 * ```sh
 * deno run --allow-env --allow-read \
 *   --v8-flags=--expose-gc,--min-semi-space-size=64,--max-semi-space-size=64 \
 *   benches/alloc_check.ts --json
 * ```
 *
 * Without `--expose-gc` the figures are still printed, marked as taken without GC.
 *
 * @module
 */

import { Command } from "npm:commander@15.1.0";
import { createDecision } from "../src/core/types.ts";
import { policyEntries, policyNames } from "../src/policy/registry.ts";
import { nameList, positiveInt } from "../src/cli/flags/values.ts";
import { runCommand, writeText } from "../src/cli/run_command.ts";
import { UsageError } from "../src/core/errors.ts";
import {
  FixtureClock,
  fixtureContext,
  loadedFleet,
  REQUEST_POOL_SIZE,
  requestPool,
} from "../src/testing/fixtures.ts";

/** V8 flags the harness runs this script with. */
export const ALLOC_V8_FLAGS = "--expose-gc,--min-semi-space-size=64,--max-semi-space-size=64";

/** Heap growth of one policy. */
export interface AllocResult {
  /** Policy name. */
  policy: string;
  /** Decisions made. */
  decisions: number;
  /** Heap growth with no GC in between, summed over chunks (bytes). */
  allocatedBytes: number;
  /** Heap growth across the whole run after a final full GC (bytes). */
  retainedBytes: number;
  /** Whether a GC could be forced (`--expose-gc`). */
  gcAvailable: boolean;
}

const CHUNK = 100_000;
// Unoptimised (interpreted) code boxes floating-point values on the heap; warm up
// until the route is compiled, so that the check sees the steady state.
const WARMUP = 200_000;

/** Runs the check for `policies` on a fleet of `n` workers with `blocks`-block prompts. */
export function allocationCheck(
  policies: readonly string[],
  decisions: number,
  n: number,
  blocks: number,
): AllocResult[] {
  const gc = (globalThis as { gc?: () => void }).gc;
  const fleet = loadedFleet(n);
  const requests = requestPool(blocks);
  const mask = REQUEST_POOL_SIZE - 1;
  const results: AllocResult[] = [];
  for (const entry of policyEntries()) {
    if (!policies.includes(entry.name)) continue;
    const policy = entry.create({}, fixtureContext());
    policy.prepare(n);
    const out = createDecision();
    const clock = new FixtureClock(n);
    let i = 0;
    const run = (decisions: number) => {
      for (let k = 0; k < decisions; k++) {
        clock.tick(fleet);
        policy.route(fleet, requests[i++ & mask], out);
      }
    };
    run(WARMUP);
    gc?.();
    const start = Deno.memoryUsage().heapUsed;
    let allocated = 0;
    for (let done = 0; done < decisions; done += CHUNK) {
      const m = Math.min(CHUNK, decisions - done);
      gc?.();
      const before = Deno.memoryUsage().heapUsed;
      run(m);
      allocated += Deno.memoryUsage().heapUsed - before;
    }
    gc?.();
    results.push({
      policy: entry.name,
      decisions,
      allocatedBytes: allocated,
      retainedBytes: Deno.memoryUsage().heapUsed - start,
      gcAvailable: gc !== undefined,
    });
  }
  return results;
}

function build(): Command {
  return new Command("alloc_check")
    .description(
      "Heap growth over many routing decisions per policy (run with " +
        `--v8-flags=${ALLOC_V8_FLAGS}).`,
    )
    .option("--policies <names>", `policies (default: all: ${policyNames().join(", ")})`, nameList)
    .option("--decisions <n>", "decisions per policy", positiveInt, 1_000_000)
    .option("--fleet <n>", "workers in the fixture fleet (even)", positiveInt, 64)
    .option("--blocks <n>", "prompt length in KV blocks", positiveInt, 24)
    .option("--json", "print one JSON object", false);
}

if (import.meta.main) {
  Deno.exit(
    await runCommand(build, async (opts) => {
      const policies = (opts.policies as string[] | undefined) ?? policyNames();
      for (const p of policies) {
        if (!policyNames().includes(p)) throw new UsageError("--policies", `unknown policy '${p}'`);
      }
      const fleetSize = opts.fleet as number;
      if (fleetSize < 2 || fleetSize % 2 !== 0) {
        throw new UsageError("--fleet", `expected an even number ≥ 2, got ${fleetSize}`);
      }
      const results = allocationCheck(
        policies,
        opts.decisions as number,
        fleetSize,
        opts.blocks as number,
      );
      if (opts.json) {
        writeText(
          Deno.stdout,
          JSON.stringify({ fleet: fleetSize, blocks: opts.blocks, results }) + "\n",
        );
        return;
      }
      for (const r of results) {
        writeText(
          Deno.stdout,
          `${r.policy.padEnd(14)} ${r.decisions} decisions: allocated ${
            (r.allocatedBytes / 1024).toFixed(1)
          } KiB, retained ${(r.retainedBytes / 1024).toFixed(1)} KiB` +
            (r.gcAvailable ? "" : " (no --expose-gc: taken without forcing GC)") + "\n",
        );
      }
      await Promise.resolve();
    }, Deno.args),
  );
}
