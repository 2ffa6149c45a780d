/**
 * Benchmark profiles: how much each suite measures. `deno task bench --profile
 * minimal` passes `PDROUTER_BENCH_PROFILE=minimal` to `deno bench`; a plain
 * `deno bench` (no permission to read the environment) runs the full profile.
 *
 * @module
 */

/** A benchmark profile name. */
export type ProfileName = "minimal" | "full";

/** The profile names, smallest first. */
export const PROFILES: readonly ProfileName[] = ["minimal", "full"];

/** Environment variable that selects the profile of the `deno bench` suites. */
export const PROFILE_ENV = "PDROUTER_BENCH_PROFILE";

/** What one profile measures. */
export interface BenchProfile {
  /** Profile name. */
  readonly name: ProfileName;
  /** Fleet sizes of the policy benchmarks. */
  readonly fleets: readonly number[];
  /** Prompt lengths (KV blocks) of the policy benchmarks. */
  readonly promptBlocks: readonly number[];
  /**
   * Requests per run of the seed-lab throughput bench (2 prefill + 2 decode): long
   * enough (about a second) that compiling the hot code is a small part of a run.
   */
  readonly smallRequests: number;
  /** Requests per run of the medium (16 + 16) throughput bench. */
  readonly mediumRequests: number;
  /** Requests per run of the large throughput bench; 0 skips it. */
  readonly largeRequests: number;
  /** Requests per run of the per-workload benches (4 prefill + 4 decode). */
  readonly workloadRequests: number;
  /** Measured iterations of each simulation bench (after one warm-up run). */
  readonly simIterations: number;
}

const profiles: Readonly<Record<ProfileName, BenchProfile>> = {
  minimal: {
    name: "minimal",
    fleets: [8, 64, 512, 4096],
    promptBlocks: [24],
    smallRequests: 300_000,
    mediumRequests: 50_000,
    largeRequests: 0,
    workloadRequests: 3000,
    simIterations: 3,
  },
  full: {
    name: "full",
    fleets: [8, 64, 512, 4096],
    promptBlocks: [1, 24, 160],
    smallRequests: 300_000,
    mediumRequests: 200_000,
    largeRequests: 200_000,
    workloadRequests: 20_000,
    simIterations: 5,
  },
};

/**
 * The named profile.
 *
 * @throws {RangeError} On an unknown name.
 */
export function benchProfile(name: string): BenchProfile {
  if (name !== "minimal" && name !== "full") {
    throw new RangeError(`Unknown bench profile '${name}' (known: ${PROFILES.join(", ")})`);
  }
  return profiles[name];
}

/** The profile chosen by {@linkcode PROFILE_ENV}, or `full` when unset or unreadable. */
export function profileFromEnv(): BenchProfile {
  // Query first: reading without permission would prompt on a terminal.
  const granted = Deno.permissions.querySync({ name: "env", variable: PROFILE_ENV }).state ===
    "granted";
  return benchProfile((granted ? Deno.env.get(PROFILE_ENV) : undefined) ?? "full");
}
