/**
 * Median cost of one routing decision, per policy, fleet size and prompt length:
 * batches of decisions on the fixtures of `policy_bench.ts`, timed with
 * `performance.now()`; the figure is the median over batches of the mean time per
 * decision (`deno bench` reports means and upper percentiles, not a median). Batches
 * hold up to 1000 decisions, fewer when that would take over a millisecond.
 *
 * ```sh
 * deno run --allow-env --allow-read benches/hot_path.ts --profile minimal --json
 * ```
 *
 * @module
 */

import { Command, Option } from "npm:commander@15.1.0";
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
import { benchProfile, PROFILES } from "./_profile.ts";

/** One measured cell. */
export interface HotPathResult {
  /** Policy name. */
  policy: string;
  /** Fleet size. */
  n: number;
  /** Prompt length in KV blocks. */
  blocks: number;
  /** Median over batches of ns per decision. */
  medianNs: number;
  /** 10th percentile over batches, ns per decision. */
  p10Ns: number;
  /** 90th percentile over batches, ns per decision. */
  p90Ns: number;
}

/** Measures every policy × fleet × prompt length. */
export function measureHotPath(
  policies: readonly string[],
  fleets: readonly number[],
  promptBlocks: readonly number[],
  batches: number,
  batchSize: number,
): HotPathResult[] {
  const results: HotPathResult[] = [];
  const mask = REQUEST_POOL_SIZE - 1;
  for (const n of fleets) {
    const fleet = loadedFleet(n);
    for (const blocks of promptBlocks) {
      const requests = requestPool(blocks);
      for (const entry of policyEntries()) {
        if (!policies.includes(entry.name)) continue;
        const policy = entry.create({}, fixtureContext());
        policy.prepare(n);
        const out = createDecision();
        const clock = new FixtureClock(n);
        const step = () => {
          clock.tick(fleet);
          policy.route(fleet, requests[i++ & mask], out);
        };
        let i = 0;
        // Warm up for up to 20,000 decisions or 100 ms, then size batches to take about
        // a millisecond (policies that scan the fleet take 100 µs and more at 4096).
        const warmEnd = performance.now() + 100;
        for (let w = 0; w < 20_000 && (w & 63 || performance.now() < warmEnd); w++) {
          step();
        }
        let size = 1;
        for (;;) {
          const t0 = performance.now();
          for (let k = 0; k < size; k++) step();
          if (size >= batchSize || performance.now() - t0 >= 1) break;
          size = Math.min(batchSize, size * 2);
        }
        const perDecision: number[] = [];
        for (let b = 0; b < batches; b++) {
          const t0 = performance.now();
          for (let k = 0; k < size; k++) step();
          perDecision.push((performance.now() - t0) * 1e6 / size);
        }
        perDecision.sort((a, b) => a - b);
        const at = (q: number) => perDecision[Math.min(batches - 1, Math.floor(q * batches))];
        results.push({
          policy: entry.name,
          n,
          blocks,
          medianNs: at(0.5),
          p10Ns: at(0.1),
          p90Ns: at(0.9),
        });
      }
    }
  }
  return results;
}

function build(): Command {
  return new Command("hot_path")
    .description(
      "Median ns per routing decision, per policy × fleet size × prompt length, on the " +
        "loaded-fleet fixtures of policy_bench.ts.",
    )
    .addOption(
      new Option("--profile <name>", "fleets and prompt lengths to cover").choices(PROFILES)
        .default("full"),
    )
    .option("--policies <names>", `policies (default: all: ${policyNames().join(", ")})`, nameList)
    .option("--batches <n>", "timed batches per cell", positiveInt, 31)
    .option(
      "--batch-size <n>",
      "most decisions per batch (fewer when a batch would take over 1 ms)",
      positiveInt,
      1000,
    )
    .option("--json", "print one JSON object", false);
}

if (import.meta.main) {
  Deno.exit(
    await runCommand(build, async (opts) => {
      const profile = benchProfile(opts.profile as string);
      const policies = (opts.policies as string[] | undefined) ?? policyNames();
      for (const p of policies) {
        if (!policyNames().includes(p)) throw new UsageError("--policies", `unknown policy '${p}'`);
      }
      const results = measureHotPath(
        policies,
        profile.fleets,
        profile.promptBlocks,
        opts.batches as number,
        opts.batchSize as number,
      );
      if (opts.json) {
        writeText(Deno.stdout, JSON.stringify({ profile: profile.name, results }) + "\n");
        return;
      }
      for (const r of results) {
        writeText(
          Deno.stdout,
          `${r.policy.padEnd(14)} n=${String(r.n).padEnd(5)} blocks=${
            String(r.blocks).padEnd(4)
          } ` +
            `median ${r.medianNs.toFixed(0)} ns (p10 ${r.p10Ns.toFixed(0)}, p90 ${
              r.p90Ns.toFixed(0)
            })\n`,
        );
      }
      await Promise.resolve();
    }, Deno.args),
  );
}
