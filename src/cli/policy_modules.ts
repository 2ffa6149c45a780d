/**
 * User policies as modules: `--policy ./my_policy.ts` loads any ES module whose
 * default export is a {@linkcode PolicyFactory} `(config, context) => Policy`. The
 * policy is known by the `name` of the policy the factory builds. This is the loading
 * half of building a policy: it needs the file system and an asynchronous import, so
 * it lives here, and `buildPolicy` (`src/policy/build.ts`) gets the loaded factories
 * through {@linkcode policyResolver}.
 *
 * @module
 */

import { pathToFileURL } from "node:url";
import { quoteValue, UsageError } from "../core/errors.ts";
import type { PolicyResolver } from "../policy/build.ts";
import type { PolicyContext, PolicyFactory } from "../policy/types.ts";
import type { ConfigSpec } from "../policy/config.ts";
import { userPath } from "./user_path.ts";

/** A policy factory loaded from a module. */
export interface LoadedPolicy {
  /** The path as the user gave it. */
  readonly path: string;
  /** The name of the policies it builds (their `name`). */
  readonly name: string;
  /** The module's default export. */
  readonly create: PolicyFactory;
  /**
   * The module's configuration fields, when it exports them as `spec` (a `ConfigSpec`):
   * `--set` fields it does not list are refused before anything runs. Without it, they
   * reach the factory unchecked (and the CLI warns).
   */
  readonly spec?: ConfigSpec;
}

/**
 * Whether a `--policy` value or `--policies` entry names a module rather than a
 * built-in policy: it starts with `./`, `../` or `/`, or ends in `.ts`, `.js`, `.mjs`
 * or `.mts`.
 */
export function isModulePath(entry: string): boolean {
  return /^(\.{1,2}[\\/]|\/)/.test(entry) || /\.(ts|js|mjs|mts)$/.test(entry);
}

const PROBE_CONTEXT: PolicyContext = {
  random: () => 0.5,
  sloTtftMs: 1000,
  sloTpotMs: 50,
  prefillMsPerToken: 0.05,
  migrationBudget: 0,
};

/**
 * Imports the module at `path` (relative to the directory the user ran the command
 * from, see `user_path.ts`) and checks that its default export builds a policy with the
 * default configuration, and that a `spec` export, if any, is a `ConfigSpec`.
 *
 * @example
 * ```ts ignore
 * const p = await loadPolicyModule("./examples/prefix_then_load.ts");
 * console.log(p.name);
 * ```
 * @throws {UsageError} Naming `flag` when the module cannot be imported, has no
 *   function as its default export, or builds something that is not a policy.
 */
export async function loadPolicyModule(path: string, flag = "--policy"): Promise<LoadedPolicy> {
  const url = pathToFileURL(userPath(path)).href;
  let mod: Record<string, unknown>;
  try {
    mod = await import(url);
  } catch (e) {
    throw new UsageError(flag, `cannot load policy module '${path}': ${(e as Error).message}`, {
      cause: e,
    });
  }
  const create = mod.default;
  if (typeof create !== "function") {
    throw new UsageError(
      flag,
      `module '${path}' must default-export a policy factory (config, context) => Policy, ` +
        `got ${create === undefined ? "no default export" : typeof create}`,
    );
  }
  let policy: unknown;
  try {
    policy = create({}, PROBE_CONTEXT);
  } catch (e) {
    throw new UsageError(flag, `policy factory of '${path}' failed: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const p = policy as Record<string, unknown> | null;
  if (
    !p || typeof p.name !== "string" || p.name === "" || typeof p.prepare !== "function" ||
    typeof p.route !== "function"
  ) {
    throw new UsageError(
      flag,
      `policy factory of '${path}' must return a policy with a non-empty 'name', ` +
        `'prepare' and 'route', got ${describe(policy)}`,
    );
  }
  const spec = mod.spec;
  if (spec !== undefined && !isSpec(spec)) {
    throw new UsageError(
      flag,
      `module '${path}' exports 'spec', which must be a ConfigSpec (field → { default, doc, ` +
        `... }), got ${describe(spec)}`,
    );
  }
  return { path, name: p.name, create: create as PolicyFactory, spec };
}

function isSpec(value: unknown): value is ConfigSpec {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((f) =>
    typeof f === "object" && f !== null && "default" in f && typeof f.doc === "string"
  );
}

function describe(value: unknown): string {
  if (value === null || typeof value !== "object") return quoteValue(value);
  const keys = Object.keys(value);
  return keys.length ? `an object with ${keys.map((k) => `'${k}'`).join(", ")}` : "{}";
}

/**
 * A resolver for `buildPolicy` (`src/policy/build.ts`) that knows `loaded` modules by
 * the path the user gave and by the name of the policy each builds.
 *
 * @example
 * ```ts ignore
 * const loaded = [await loadPolicyModule("./examples/prefix_then_load.ts")];
 * const policy = buildPolicy("./examples/prefix_then_load.ts", {}, deployment, policyResolver(loaded));
 * ```
 */
export function policyResolver(loaded: readonly LoadedPolicy[]): PolicyResolver {
  return (key) => loaded.find((l) => l.path === key || l.name === key)?.create;
}
