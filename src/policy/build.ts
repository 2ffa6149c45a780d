/**
 * Building a policy: {@linkcode buildPolicy} is the one way every command (`sim`,
 * `compare`, `scoreboard`, `sweep`, the bench targets, and the live proxy) turns a
 * policy name or module, its `--set` configuration and the deployment's facts into a
 * {@linkcode Policy}. No policy is special-cased by name: the deployment facts reach
 * every policy alike, as its {@linkcode PolicyContext}, and a policy decides what to
 * take from them (telemetry takes its migration budget from there unless its own
 * configuration sets one).
 *
 * Module loading: this file imports only `core/` and `policy/`, and builds
 * synchronously. Loading a user's policy module by path needs the file system and an
 * asynchronous `import()`, so it lives in the CLI (`src/cli/policy_modules.ts`), which
 * loads the modules first and hands their factories to `buildPolicy` through a
 * {@linkcode PolicyResolver}. Built-in names always resolve to the registry.
 *
 * @module
 */

import { cannot, PolicyConfigError } from "../core/errors.ts";
import { Rng } from "../core/rng.ts";
import type { RandomSource } from "../core/types.ts";
import { policyEntries, policyNames } from "./registry.ts";
import type { Policy, PolicyConfig, PolicyContext, PolicyFactory } from "./types.ts";

/**
 * The facts about a deployment that a policy may use, as plain data: what the
 * simulator's scenario or the proxy's flags say about the fleet, the objectives and
 * the run. {@linkcode policyContext} turns it into the context a factory gets.
 */
export interface PolicyDeployment {
  /** Seed of the run; each policy's random source is derived from it ({@linkcode policyRandom}). */
  readonly seed: number;
  /** Time-to-first-token objective, ms. */
  readonly sloTtftMs: number;
  /** Time-per-output-token objective, ms. */
  readonly sloTpotMs: number;
  /** Estimated prefill compute per uncached prompt token on one worker, ms (from the model). */
  readonly prefillMsPerToken: number;
  /** Decode migrations allowed per migration window (0: none). */
  readonly migrationBudget: number;
}

/**
 * Finds the factory of a policy that is not built in: a user's module, already
 * loaded, by the path the user gave or by the name of the policy it builds.
 * `undefined` when it knows none by that name.
 */
export type PolicyResolver = (nameOrModulePath: string) => PolicyFactory | undefined;

/**
 * The random source a policy of a run with `seed` gets: a generator of its own, seeded
 * from the run's seed, so that every policy of a comparison draws the same sequence.
 *
 * @example
 * ```ts
 * import { policyRandom } from "./build.ts";
 * if (policyRandom(1)() !== policyRandom(1)()) throw new Error("not seeded");
 * ```
 * @throws {TypeError} When `seed` is not a finite number.
 */
export function policyRandom(seed: number): RandomSource {
  return new Rng(seed * 7919 + 17).source();
}

function positive(what: string, field: keyof PolicyDeployment, value: number): void {
  if (!(typeof value === "number" && value > 0 && Number.isFinite(value))) {
    throw new RangeError(cannot(what, `'${field}' must be a positive number`, value));
  }
}

/**
 * The context a policy factory gets for `deployment`: its facts, and a fresh random
 * source derived from its seed.
 *
 * @example
 * ```ts
 * import { policyContext } from "./build.ts";
 * const c = policyContext({
 *   seed: 1, sloTtftMs: 500, sloTpotMs: 30, prefillMsPerToken: 0.03, migrationBudget: 8,
 * });
 * if (c.migrationBudget !== 8 || typeof c.random() !== "number") throw new Error("bad context");
 * ```
 * @throws {RangeError} When an objective or `prefillMsPerToken` is not positive, or the
 *   migration budget is not an integer ≥ 0.
 * @throws {TypeError} When the seed is not a finite number.
 */
export function policyContext(deployment: PolicyDeployment): PolicyContext {
  const what = "build policy context";
  positive(what, "sloTtftMs", deployment.sloTtftMs);
  positive(what, "sloTpotMs", deployment.sloTpotMs);
  positive(what, "prefillMsPerToken", deployment.prefillMsPerToken);
  const budget = deployment.migrationBudget;
  if (!(Number.isInteger(budget) && budget >= 0)) {
    throw new RangeError(cannot(what, "'migrationBudget' must be an integer ≥ 0", budget));
  }
  return {
    random: policyRandom(deployment.seed),
    sloTtftMs: deployment.sloTtftMs,
    sloTpotMs: deployment.sloTpotMs,
    prefillMsPerToken: deployment.prefillMsPerToken,
    migrationBudget: budget,
  };
}

/**
 * Builds one policy: a built-in policy by its registry name, or a user's policy that
 * `resolve` knows (by module path or policy name), with `config` (the user's `--set`
 * fields for it, as given) and the context of `deployment`.
 *
 * @example A built-in policy
 * ```ts
 * import { buildPolicy } from "./build.ts";
 * const deployment = {
 *   seed: 1, sloTtftMs: 500, sloTpotMs: 30, prefillMsPerToken: 0.03, migrationBudget: 8,
 * };
 * const p = buildPolicy("telemetry", { migrationMargin: 0.2 }, deployment);
 * if (p.name !== "telemetry") throw new Error("wrong policy");
 * ```
 *
 * @example A user's policy, loaded elsewhere
 * ```ts
 * import { buildPolicy } from "./build.ts";
 * import { createRoundRobin } from "./round_robin.ts";
 * const loaded = { "./mine.ts": createRoundRobin };
 * const deployment = {
 *   seed: 1, sloTtftMs: 500, sloTpotMs: 30, prefillMsPerToken: 0.03, migrationBudget: 0,
 * };
 * const p = buildPolicy("./mine.ts", {}, deployment, (path) => loaded[path as "./mine.ts"]);
 * if (p.name !== "round-robin") throw new Error("not built from the module");
 * ```
 *
 * @param nameOrModulePath A built-in policy's name, or what `resolve` knows.
 * @param config The policy's configuration fields; its factory validates them.
 * @param deployment The deployment's facts ({@linkcode policyContext}).
 * @param resolve Factories of policies that are not built in (default: none).
 * @throws {RangeError} When no policy has that name or path, or the deployment is invalid.
 * @throws {PolicyConfigError} When the policy's factory rejects `config` (or the context).
 */
export function buildPolicy(
  nameOrModulePath: string,
  config: PolicyConfig,
  deployment: PolicyDeployment,
  resolve?: PolicyResolver,
): Policy {
  const create = policyEntries().find((e) => e.name === nameOrModulePath)?.create ??
    resolve?.(nameOrModulePath);
  if (!create) {
    throw new RangeError(
      cannot(
        "build policy",
        `expected a built-in policy (${policyNames().join(", ")}) or a loaded module`,
        nameOrModulePath,
      ),
    );
  }
  const context = policyContext(deployment);
  try {
    return create(config, context);
  } catch (e) {
    throw new PolicyConfigError(nameOrModulePath, e);
  }
}
