/**
 * Error types thrown at the edges (config, flags, input files), and the one wording
 * their messages share. The hot path never throws for expected cases; it returns codes
 * instead.
 *
 * Wording: a message says what could not be done, what was expected and what was
 * given, as `Cannot <do what>: <what was expected>, got <value>` (see
 * {@linkcode cannot}); a capital first letter, no final period, no contractions. A
 * usage error puts the flag first (`Invalid value for --rate: expected a positive
 * number, got 'x'`) and an input error the file and line (`trace.jsonl:3: field
 * 'input_length' must be a non-negative integer, got -1`); their details follow the
 * same `<expected>, got <value>` form.
 *
 * @module
 */

/**
 * A value as error messages quote it: strings in single quotes, numbers, booleans,
 * `null` and `undefined` as they print, anything else as JSON.
 *
 * @example
 * ```ts
 * import { quoteValue } from "./errors.ts";
 * if (quoteValue("x") !== "'x'" || quoteValue(-1) !== "-1") throw new Error("bad quoting");
 * ```
 */
export function quoteValue(value: unknown): string {
  if (typeof value === "string") return `'${value}'`;
  if (value === undefined || typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  if (typeof value === "bigint") return `${value}n`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * The one error wording: `Cannot <action>: <expected>, got <value>` (the value quoted
 * by {@linkcode quoteValue}); without `got`, `Cannot <action>: <expected>`.
 *
 * @example
 * ```ts
 * import { cannot } from "./errors.ts";
 * const m = cannot("create policy 'demo'", "'budget' must be at least 0", -1);
 * if (m !== "Cannot create policy 'demo': 'budget' must be at least 0, got -1") throw new Error(m);
 * ```
 *
 * @param action What could not be done, e.g. `build policy 'x'`.
 * @param expected What was expected, e.g. `'n' must be a positive integer`.
 * @param got The value given instead (omit the argument when there is none to show).
 */
export function cannot(action: string, expected: string, ...got: [] | [unknown]): string {
  const head = `Cannot ${action}: ${expected}`;
  return got.length === 0 ? head : `${head}, got ${quoteValue(got[0])}`;
}

/**
 * Bad command-line usage: an unknown flag or a bad value. CLIs exit with code 2.
 *
 * @example
 * ```ts
 * import { UsageError } from "./errors.ts";
 * const e = new UsageError("--rate", "expected a positive number, got 'x'");
 * if (!e.message.includes("--rate")) throw new Error("flag not named");
 * ```
 */
export class UsageError extends Error {
  /** The flag at fault, e.g. `--rate` (empty when not about one flag). */
  readonly flag: string;
  /**
   * Creates a usage error about `flag`.
   *
   * @param flag The flag at fault, or `""`.
   * @param detail What is wrong with it.
   * @param options Standard error options (`cause`).
   */
  constructor(flag: string, detail: string, options?: ErrorOptions) {
    super(flag ? `Invalid value for ${flag}: ${detail}` : detail, options);
    this.name = "UsageError";
    this.flag = flag;
  }
}

/**
 * Malformed input data: names the file, the 1-based line and the field.
 *
 * @example
 * ```ts
 * import { InputError } from "./errors.ts";
 * const e = new InputError("trace.jsonl", 3, "input_length", "must be a non-negative integer, got -1");
 * if (!e.message.startsWith("trace.jsonl:3")) throw new Error("bad location");
 * ```
 */
export class InputError extends Error {
  /** The file at fault. */
  readonly file: string;
  /** 1-based line number (0 when not about one line). */
  readonly line: number;
  /** The field at fault (empty when not about one field). */
  readonly field: string;
  /**
   * Creates an input error located at `file:line`, about `field`.
   *
   * @param file The file at fault.
   * @param line 1-based line (0 when not about one line).
   * @param field The field at fault, or `""`.
   * @param detail What is wrong.
   * @param options Standard error options (`cause`).
   */
  constructor(file: string, line: number, field: string, detail: string, options?: ErrorOptions) {
    const where = line > 0 ? `${file}:${line}` : file;
    super(field ? `${where}: field '${field}' ${detail}` : `${where}: ${detail}`, options);
    this.name = "InputError";
    this.file = file;
    this.line = line;
    this.field = field;
  }
}

/**
 * A policy's factory rejected its configuration (or the deployment it was given). The
 * message is the factory's own (`Cannot create policy 'x': …`); the CLI reports it
 * against `--set`.
 *
 * @example
 * ```ts
 * import { PolicyConfigError } from "./errors.ts";
 * const e = new PolicyConfigError("demo", new RangeError("Cannot create policy 'demo': bad"));
 * if (e.policy !== "demo" || !(e.cause instanceof RangeError)) throw new Error("not kept");
 * ```
 */
export class PolicyConfigError extends Error {
  /** The policy whose configuration was rejected. */
  readonly policy: string;
  /**
   * Wraps the factory's error.
   *
   * @param policy The policy's name.
   * @param cause What the factory threw.
   */
  constructor(policy: string, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "PolicyConfigError";
    this.policy = policy;
  }
}
