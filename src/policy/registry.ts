/**
 * One flat registry of built-in policies: name → factory and description. The CLI
 * and the simulator look policies up here.
 *
 * @module
 */

import { createRoundRobin, ROUND_ROBIN, roundRobinSpec } from "./round_robin.ts";
import { createTelemetry, TELEMETRY, telemetrySpec } from "./telemetry.ts";
import type { ConfigSpec } from "./config.ts";
import type { Policy, PolicyConfig, PolicyContext, PolicyFactory } from "./types.ts";

/** A registered policy. */
export interface PolicyEntry {
  /** Registry name. */
  readonly name: string;
  /** One line on what it does. */
  readonly description: string;
  /** Its configuration fields. */
  readonly spec: ConfigSpec;
  /** Builds it. */
  readonly create: PolicyFactory;
}

const entries: readonly PolicyEntry[] = [
  {
    name: ROUND_ROBIN,
    description: "Baseline: independent round-robin over the prefill and decode pools",
    spec: roundRobinSpec,
    create: createRoundRobin,
  },
  {
    name: TELEMETRY,
    description: "Optimized: normalised TTFT/TPOT/queue/KV/prefix scores, thresholds, migration",
    spec: telemetrySpec,
    create: createTelemetry,
  },
];

/** Every built-in policy, in display order. */
export function policyEntries(): readonly PolicyEntry[] {
  return entries;
}

/** Names of the built-in policies, in display order. */
export function policyNames(): string[] {
  return entries.map((e) => e.name);
}

/**
 * Creates a built-in policy by name.
 *
 * @example
 * ```ts
 * import { createPolicy } from "./registry.ts";
 * const p = createPolicy("round-robin", {}, {
 *   random: () => 0, sloTtftMs: 2000, sloTpotMs: 100, prefillMsPerToken: 0.03,
 * });
 * if (p.name !== "round-robin") throw new Error("wrong policy");
 * ```
 * @throws {RangeError} When no policy has that name, or its config is invalid.
 */
export function createPolicy(
  name: string,
  config: PolicyConfig,
  context: PolicyContext,
): Policy {
  const entry = entries.find((e) => e.name === name);
  if (!entry) {
    throw new RangeError(
      `Cannot create policy: unknown policy '${name}' (known: ${policyNames().join(", ")})`,
    );
  }
  return entry.create(config, context);
}
