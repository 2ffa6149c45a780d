/**
 * Error types thrown at the edges (config, flags, input files). The hot path never
 * throws for expected cases; it returns codes instead.
 *
 * @module
 */

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
