/**
 * Declarative policy configuration: each field has a default, bounds and a doc
 * string; {@linkcode resolveConfig} validates a user's config against it once, at
 * construction, with errors that name the policy and the field.
 *
 * @module
 */

import type { PolicyConfig } from "./types.ts";

/** A numeric configuration field. */
export interface NumberField {
  /** Value when the user gives none. */
  readonly default: number;
  /** Smallest allowed value (inclusive). */
  readonly min?: number;
  /** Largest allowed value (inclusive). */
  readonly max?: number;
  /** Whether the value must be an integer. */
  readonly integer?: boolean;
  /** What the field means, with its unit. */
  readonly doc: string;
}

/** A configuration field taking one of a few strings. */
export interface ChoiceField<T extends string = string> {
  /** Value when the user gives none. */
  readonly default: T;
  /** Allowed values. */
  readonly oneOf: readonly T[];
  /** What the field means. */
  readonly doc: string;
}

/** The fields of one policy's configuration. */
export type ConfigSpec = Readonly<Record<string, NumberField | ChoiceField>>;

/** The resolved values of a {@linkcode ConfigSpec}. */
export type ResolvedConfig<S extends ConfigSpec> = {
  -readonly [K in keyof S]: S[K] extends ChoiceField<infer T> ? T : number;
};

/**
 * Validates `config` against `spec` and fills in defaults.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./config.ts";
 * const spec = { budget: { default: 4, min: 0, integer: true, doc: "moves per window" } };
 * const c = resolveConfig("demo", spec, { budget: 2 });
 * if (c.budget !== 2) throw new Error("not applied");
 * ```
 *
 * @throws {TypeError} On an unknown field or a value of the wrong type.
 * @throws {RangeError} On a value out of bounds.
 */
export function resolveConfig<S extends ConfigSpec>(
  policy: string,
  spec: S,
  config: PolicyConfig,
): ResolvedConfig<S> {
  const prefix = `Cannot create policy '${policy}'`;
  for (const key of Object.keys(config)) {
    if (!(key in spec)) {
      const known = Object.keys(spec);
      throw new TypeError(
        `${prefix}: unknown field '${key}'` +
          (known.length ? ` (known: ${known.join(", ")})` : " (it takes no configuration)"),
      );
    }
  }
  const out: Record<string, number | string> = {};
  for (const [key, field] of Object.entries(spec)) {
    const value = config[key] ?? field.default;
    if ("oneOf" in field) {
      if (typeof value !== "string" || !field.oneOf.includes(value)) {
        throw new RangeError(
          `${prefix}: '${key}' must be one of ${field.oneOf.join(", ")}, got ${
            JSON.stringify(value)
          }`,
        );
      }
      out[key] = value;
      continue;
    }
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new TypeError(
        `${prefix}: '${key}' must be a finite number, got ${JSON.stringify(value)}`,
      );
    }
    if (field.integer && !Number.isInteger(value)) {
      throw new RangeError(`${prefix}: '${key}' must be an integer, got ${value}`);
    }
    if (field.min !== undefined && value < field.min) {
      throw new RangeError(`${prefix}: '${key}' must be at least ${field.min}, got ${value}`);
    }
    if (field.max !== undefined && value > field.max) {
      throw new RangeError(`${prefix}: '${key}' must be at most ${field.max}, got ${value}`);
    }
    out[key] = value;
  }
  return out as ResolvedConfig<S>;
}
