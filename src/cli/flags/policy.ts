/**
 * The policy flags, with one meaning in every command:
 *
 * - `--policy NAME|PATH` names one policy: a built-in policy's name, or the path of a
 *   module that default-exports a policy factory. A command that compares policies
 *   (`sim`, `compare`) adds it to the compared set (repeatable; no-op when it is
 *   compared already); a command about one policy (`scoreboard`, the proxy) runs it.
 * - `--policies a,b` is a list of such names and paths (`all`: every built-in policy).
 * - `--set policy.field=value` sets a configuration field of a policy that runs
 *   (repeatable); its factory validates it.
 * - `--migration-budget N` is the deployment's decode migrations per window
 *   (`PolicyContext.migrationBudget`). A policy that migrates uses it unless `--set
 *   P.migrationBudget=M` gives it its own; giving both, with M ≠ N, is an error, so that
 *   the recorded config says what ran.
 *
 * Module paths are loaded here ({@linkcode loadPolicyModules}); the policies are built
 * by `buildPolicy` (`src/policy/build.ts`), through the comparison.
 *
 * @module
 */

import { type Command, Option } from "npm:commander@15.1.0";
import { UsageError } from "../../core/errors.ts";
import { policyEntries, policyNames } from "../../policy/registry.ts";
import type { ConfigSpec } from "../../policy/config.ts";
import type { PolicyConfig } from "../../policy/types.ts";
import { isModulePath, type LoadedPolicy, loadPolicyModule } from "../policy_modules.ts";
import { collect, nameList, nonNegativeInt } from "./values.ts";

/** Which policy flags a command takes, and what `--policy` and `--policies` do there. */
export interface PolicyOptionsSpec {
  /**
   * `"add"`: `--policy` is repeatable and each adds one policy to the compared set;
   * `"one"`: `--policy` names the single policy the command is about. Omit: no `--policy`.
   */
  readonly policy?: "add" | "one";
  /** What `--policy` does in this command (the help adds what it accepts). */
  readonly policyHelp?: string;
  /** Default of `--policy` with `policy: "one"`. */
  readonly policyDefault?: string;
  /** What `--policies` does in this command; omit for no `--policies`. */
  readonly policiesHelp?: string;
}

/** One `--set policy.field=value`. */
export interface PolicySet {
  /** The policy's name. */
  readonly policy: string;
  /** The configuration field. */
  readonly field: string;
  /** The value: a number when it reads as one, else the text. */
  readonly value: number | string;
  /** The flag's value as given. */
  readonly text: string;
}

/** The policy flags as parsed. */
export interface PolicyFlags {
  /** `--policy` values in order (names or module paths); empty without the flag. */
  readonly policy: readonly string[];
  /** `--policies` entries as given, or `undefined` without the flag. */
  readonly policies: readonly string[] | undefined;
  /** `--set` assignments in order. */
  readonly sets: readonly PolicySet[];
  /** `--migration-budget` (its default when not given). */
  readonly migrationBudget: number;
  /** Whether `--migration-budget` was given. */
  readonly migrationBudgetGiven: boolean;
}

const ACCEPTS = "a built-in policy's name (see --list) or the path of a module that " +
  "default-exports a policy factory (config, context) => Policy, " +
  "e.g. ./examples/prefix_then_load.ts";

/**
 * Adds `--policies` and/or `--policy` to `cmd` as `spec` says, and returns it.
 *
 * @example
 * ```ts
 * import { Command } from "npm:commander@15.1.0";
 * import { addPolicyOptions, policyFlagsFromOpts } from "./policy.ts";
 * const cmd = addPolicyOptions(new Command("demo"), {
 *   policy: "add", policiesHelp: "policies to compare",
 * });
 * cmd.parse(["--policy", "llm-d"], { from: "user" });
 * if (policyFlagsFromOpts(cmd.opts()).policy[0] !== "llm-d") throw new Error("not parsed");
 * ```
 */
export function addPolicyOptions(cmd: Command, spec: PolicyOptionsSpec): Command {
  if (spec.policiesHelp !== undefined) {
    cmd.addOption(
      new Option(
        "--policies <list>",
        `${spec.policiesHelp}, comma-separated: built-in names ` +
          `(${policyNames().join(", ")}), 'all' for every built-in policy, or module paths`,
      ).argParser(nameList),
    );
  }
  if (spec.policy === "add") {
    cmd.option(
      "--policy <name|path>",
      `${spec.policyHelp ?? "also compare one policy"}: ${ACCEPTS} (repeatable)`,
      collect,
      [] as string[],
    );
  } else if (spec.policy === "one") {
    cmd.option(
      "--policy <name|path>",
      `${spec.policyHelp ?? "the policy"}: ${ACCEPTS}`,
      spec.policyDefault,
    );
  }
  return cmd;
}

/**
 * Adds `--migration-budget` (with the command's default) and `--set` to `cmd`, and
 * returns it.
 */
export function addPolicyConfigOptions(
  cmd: Command,
  defaults: { readonly migrationBudget: number },
): Command {
  return cmd
    .option(
      "--migration-budget <n>",
      "decode migrations the deployment allows per migration window (telemetry's: 10 s of " +
        "simulated time; 0 disables); --set P.migrationBudget gives one policy its own instead",
      nonNegativeInt,
      defaults.migrationBudget,
    )
    .option(
      "--set <policy.field=value>",
      "set a configuration field of a policy that runs, e.g. telemetry.migrationMargin=0.2 " +
        "(repeatable)",
      collect,
      [] as string[],
    );
}

/**
 * The policy flags of parsed `opts`. `explicit(key)` tells whether the user gave an
 * option (rather than its default); without it, none counts as given.
 *
 * @throws {UsageError} On a `--set` that is not `policy.field=value` (naming `--set`).
 */
export function policyFlagsFromOpts(
  opts: Record<string, unknown>,
  explicit: (key: string) => boolean = () => false,
): PolicyFlags {
  const policy = opts.policy === undefined
    ? []
    : Array.isArray(opts.policy)
    ? opts.policy.map(String)
    : [String(opts.policy)];
  const sets = ((opts.set as string[] | undefined) ?? []).map(parseSet);
  return {
    policy,
    policies: opts.policies as string[] | undefined,
    sets,
    migrationBudget: (opts.migrationBudget as number | undefined) ?? 0,
    migrationBudgetGiven: opts.migrationBudget !== undefined && explicit("migrationBudget"),
  };
}

function parseSet(text: string): PolicySet {
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)=(.*)$/.exec(text);
  if (!m) throw new UsageError("--set", `expected policy.field=value, got '${text}'`);
  const [, policy, field, raw] = m;
  const value = raw !== "" && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  return { policy, field, value, text };
}

/** The module paths of `flags` (`--policies` entries first, then `--policy`), each once. */
export function policyModulePaths(flags: PolicyFlags): string[] {
  const paths = [...(flags.policies ?? []), ...flags.policy].filter(isModulePath);
  return [...new Set(paths)];
}

/** The flag that named `path` (`--policy` if both did). */
function flagOf(flags: PolicyFlags, path: string): string {
  return flags.policy.includes(path) ? "--policy" : "--policies";
}

/**
 * Loads every module path of `flags`, in order.
 *
 * @throws {UsageError} Naming the flag that gave a module that cannot be loaded, or
 *   does not build a policy.
 */
export async function loadPolicyModules(flags: PolicyFlags): Promise<LoadedPolicy[]> {
  const loaded: LoadedPolicy[] = [];
  for (const path of policyModulePaths(flags)) {
    loaded.push(await loadPolicyModule(path, flagOf(flags, path)));
  }
  return loaded;
}

/**
 * The name of the policy that `entry` (a built-in name or a loaded module's path) names.
 *
 * @throws {UsageError} Naming `flag` when it names none.
 */
function policyName(entry: string, flag: string, loaded: readonly LoadedPolicy[]): string {
  if (isModulePath(entry)) {
    const l = loaded.find((x) => x.path === entry);
    if (l) return l.name;
    throw new UsageError(
      flag,
      `expected a policy module loaded before the run (this command loads none), got '${entry}'`,
    );
  }
  if (policyNames().includes(entry)) return entry;
  throw new UsageError(
    flag,
    `expected a built-in policy (${policyNames().join(", ")})` +
      `${flag === "--policies" ? ", 'all'" : ""} or a module path, got '${entry}'`,
  );
}

/**
 * The policies a comparison runs, by name: the `--policies` list (`all` = every
 * built-in policy; a module path = the name of the policy it builds), or `base`
 * without it; then each `--policy` not among them already.
 *
 * @example
 * ```ts
 * import { comparedPolicies, policyFlagsFromOpts } from "./policy.ts";
 * const flags = policyFlagsFromOpts({ policy: ["telemetry", "llm-d"] });
 * const names = comparedPolicies(flags, ["round-robin", "telemetry"], []);
 * if (names.join() !== "round-robin,telemetry,llm-d") throw new Error(names.join());
 * ```
 * @throws {UsageError} Naming `--policies` or `--policy`: on an unknown name, a policy
 *   listed twice in `--policies`, a module building a built-in policy's name, or two
 *   modules building policies of one name.
 */
export function comparedPolicies(
  flags: PolicyFlags,
  base: readonly string[],
  loaded: readonly LoadedPolicy[],
): string[] {
  const known = policyNames();
  for (const l of loaded) {
    if (known.includes(l.name)) {
      throw new UsageError(
        flagOf(flags, l.path),
        `module '${l.path}' builds a policy named '${l.name}', which is a built-in policy's name`,
      );
    }
    const twin = loaded.find((x) => x.name === l.name && x.path !== l.path);
    if (twin) {
      throw new UsageError(
        flagOf(flags, l.path),
        `modules '${twin.path}' and '${l.path}' both build a policy named '${l.name}'`,
      );
    }
  }
  const listed = flags.policies?.flatMap((p) =>
    p === "all" ? known : [policyName(p, "--policies", loaded)]
  );
  if (listed && new Set(listed).size !== listed.length) {
    throw new UsageError(
      "--policies",
      `expected each policy once, got '${flags.policies!.join(",")}'`,
    );
  }
  const out = [...(listed ?? base)];
  for (const p of flags.policy) {
    const name = policyName(p, "--policy", loaded);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * The `--set` fields of `flags` by policy, for the policies that run, checked before
 * anything runs: a field a built-in policy (or a module exporting its `spec`) does not
 * have is refused; for a module without a spec, `warn` gets one line per field (it
 * reaches the factory unchecked).
 *
 * @throws {UsageError} Naming `--set`: on a policy that does not run, a field it does
 *   not have, a field given twice with different values, or a `P.migrationBudget` that
 *   differs from a given `--migration-budget`.
 */
export function policyConfigs(
  flags: PolicyFlags,
  policies: readonly string[],
  loaded: readonly LoadedPolicy[] = [],
  warn: (line: string) => void = () => {},
): Record<string, PolicyConfig> {
  const out: Record<string, Record<string, unknown>> = {};
  const given = new Map<string, PolicySet>();
  for (const s of flags.sets) {
    if (!policies.includes(s.policy)) {
      throw new UsageError(
        "--set",
        `expected a policy that runs (${policies.join(", ")}), got '${s.policy}' in '${s.text}'`,
      );
    }
    const key = `${s.policy}.${s.field}`;
    const earlier = given.get(key);
    if (earlier && earlier.value !== s.value) {
      throw new UsageError(
        "--set",
        `'${s.text}' conflicts with '${earlier.text}'; give each field once`,
      );
    }
    given.set(key, s);
    const module = loaded.find((l) => l.name === s.policy);
    const spec: ConfigSpec | undefined = module
      ? module.spec
      : policyEntries().find((e) => e.name === s.policy)?.spec;
    if (spec && !Object.hasOwn(spec, s.field)) {
      const fields = Object.keys(spec);
      throw new UsageError(
        "--set",
        `expected a field of policy '${s.policy}' (${
          fields.length ? fields.join(", ") : "it takes none"
        }), got '${s.field}' in '${s.text}'`,
      );
    }
    if (!spec && !earlier) {
      warn(
        `warning: --set ${s.text}: module '${module?.path}' exports no 'spec' of its ` +
          `fields, so '${s.field}' reaches its factory unchecked\n`,
      );
    }
    if (
      s.field === "migrationBudget" && flags.migrationBudgetGiven &&
      s.value !== flags.migrationBudget
    ) {
      throw new UsageError(
        "--set",
        `'${s.text}' conflicts with --migration-budget ${flags.migrationBudget}; give the ` +
          "budget once (--migration-budget for every policy, or --set for one)",
      );
    }
    (out[s.policy] ??= {})[s.field] = s.value;
  }
  return out;
}

/**
 * The policy flags the user gave, as command-line arguments again (for printing a
 * command that reproduces a run): `--policies`, each `--policy`, each `--set`, and
 * `--migration-budget` when given.
 */
export function policyArgs(flags: PolicyFlags): string[] {
  const args: string[] = [];
  if (flags.policies) args.push("--policies", flags.policies.join(","));
  for (const p of flags.policy) args.push("--policy", p);
  for (const s of flags.sets) args.push("--set", s.text);
  if (flags.migrationBudgetGiven) args.push("--migration-budget", String(flags.migrationBudget));
  return args;
}
