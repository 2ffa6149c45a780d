/**
 * Flag value parsers shared by every pdrouter command: each names what it expected
 * and what it got (`expected a positive number, got 'x'`), and commander reports it
 * against the flag.
 *
 * @module
 */

import { InvalidArgumentError } from "npm:commander@15.1.0";

/** Parser for a positive number flag value. */
export function positiveNumber(value: string): number {
  const x = strictNumber(value);
  if (!(x > 0)) throw new InvalidArgumentError(`expected a positive number, got '${value}'`);
  return x;
}

/** Parser for a non-negative number flag value. */
export function nonNegativeNumber(value: string): number {
  const x = strictNumber(value);
  if (!(x >= 0)) throw new InvalidArgumentError(`expected a number ≥ 0, got '${value}'`);
  return x;
}

/** Parser for a positive integer flag value. */
export function positiveInt(value: string): number {
  const x = strictNumber(value);
  if (!(Number.isInteger(x) && x > 0)) {
    throw new InvalidArgumentError(`expected a positive integer, got '${value}'`);
  }
  return x;
}

/** Parser for a non-negative integer flag value. */
export function nonNegativeInt(value: string): number {
  const x = strictNumber(value);
  if (!(Number.isInteger(x) && x >= 0)) {
    throw new InvalidArgumentError(`expected an integer ≥ 0, got '${value}'`);
  }
  return x;
}

/** Parser for any integer flag value (e.g. a seed). */
export function integer(value: string): number {
  const x = strictNumber(value);
  if (!Number.isSafeInteger(x)) {
    throw new InvalidArgumentError(`expected an integer, got '${value}'`);
  }
  return x;
}

/** Parser factory for a value from a fixed set. */
export function oneOf<T extends string>(values: readonly T[]): (value: string) => T {
  return (value: string): T => {
    if (!(values as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${values.join(", ")}, got '${value}'`);
    }
    return value as T;
  };
}

/** Parser for a comma-separated list of non-empty names. */
export function nameList(value: string): string[] {
  const names = value.split(",").map((s) => s.trim());
  if (names.length === 0 || names.some((s) => s === "")) {
    throw new InvalidArgumentError(`expected a comma-separated list of names, got '${value}'`);
  }
  return names;
}

function strictNumber(value: string): number {
  const trimmed = value.trim();
  const x = trimmed === "" ? NaN : Number(trimmed);
  if (!Number.isFinite(x)) throw new InvalidArgumentError(`expected a number, got '${value}'`);
  return x;
}

/** Parser for a comma-separated list of positive numbers (e.g. loads, seeds). */
export function positiveNumberList(value: string): number[] {
  return nameList(value).map((x) => {
    const n = Number(x);
    if (!(Number.isFinite(n) && n > 0)) {
      throw new InvalidArgumentError(
        `expected a comma-separated list of positive numbers, got '${value}'`,
      );
    }
    return n;
  });
}

/** Accumulator of a repeatable flag: each occurrence adds its value. */
export function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}
