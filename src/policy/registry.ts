/**
 * One flat registry of built-in policies: name → factory and description. The CLI
 * and the simulator look policies up here.
 *
 * @module
 */

import { createRoundRobin, ROUND_ROBIN, roundRobinSpec } from "./round_robin.ts";
import { createTelemetry, TELEMETRY, telemetrySpec } from "./telemetry.ts";
import { createLeastLoaded, LEAST_LOADED, leastLoadedSpec } from "./least_loaded.ts";
import { createPowerOfTwo, POWER_OF_TWO, powerOfTwoSpec } from "./power_of_two.ts";
import { createLlmD, LLM_D, llmDSpec } from "./llm_d.ts";
import { createDynamo, DYNAMO, dynamoSpec } from "./dynamo.ts";
import { createSglang, SGLANG, sglangSpec } from "./sglang.ts";
import { AIBRIX, aibrixSpec, createAibrix } from "./aibrix.ts";
import { cannot } from "../core/errors.ts";
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
  {
    name: LEAST_LOADED,
    description: "Fewest queued prefill tokens; least committed decode KV",
    spec: leastLoadedSpec,
    create: createLeastLoaded,
  },
  {
    name: POWER_OF_TWO,
    description: "Two seeded random picks per pool, the less loaded wins",
    spec: powerOfTwoSpec,
    create: createPowerOfTwo,
  },
  {
    name: LLM_D,
    description: "llm-d: prefix ×2 + queue ×1 scorers, decode first, prefix-based P/D decider",
    spec: llmDSpec,
    create: createLlmD,
  },
  {
    name: DYNAMO,
    description: "Dynamo KV router: prefill blocks − overlap + active blocks, optional temperature",
    spec: dynamoSpec,
    create: createDynamo,
  },
  {
    name: SGLANG,
    description:
      "SGLang cache-aware: shortest queue when imbalanced, else prefix match or smallest tree",
    spec: sglangSpec,
    create: createSglang,
  },
  {
    name: AIBRIX,
    description: "AIBrix prefix-cache: best match within mean + 1σ requests, least-request guard",
    spec: aibrixSpec,
    create: createAibrix,
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
      cannot("create policy", `expected a built-in policy (${policyNames().join(", ")})`, name),
    );
  }
  return entry.create(config, context);
}
