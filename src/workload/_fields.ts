/**
 * Field validation shared by the trace row parsers: every failure is an
 * {@linkcode InputError} naming the file, line and field.
 *
 * @module
 */

import { InputError } from "../core/errors.ts";

/** Where a field comes from: the file and the 1-based line. */
export interface RowContext {
  /** File name as given. */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
}

/** Parses a CSV field or JSON value as a finite number, or throws. */
export function numberField(ctx: RowContext, field: string, raw: unknown): number {
  if (raw === undefined || raw === null) {
    throw new InputError(ctx.file, ctx.line, field, "is missing");
  }
  let x: number;
  if (typeof raw === "number") x = raw;
  else if (typeof raw === "string") {
    const t = raw.trim();
    if (t === "") throw new InputError(ctx.file, ctx.line, field, "is missing (empty)");
    x = Number(t);
  } else x = NaN;
  if (!Number.isFinite(x)) {
    throw new InputError(ctx.file, ctx.line, field, `is not a number: ${show(raw)}`);
  }
  return x;
}

/**
 * A JSON value that must be a number (strings such as `"12"` are not accepted),
 * returned unchanged for the other checks, or throws.
 */
export function jsonNumber(ctx: RowContext, field: string, raw: unknown): unknown {
  if (raw === undefined || raw === null) {
    throw new InputError(ctx.file, ctx.line, field, "is missing");
  }
  if (typeof raw !== "number") {
    const s = JSON.stringify(raw) ?? String(raw);
    throw new InputError(
      ctx.file,
      ctx.line,
      field,
      `is not a number: ${s.length > 60 ? s.slice(0, 57) + "..." : s}`,
    );
  }
  return raw;
}

/** A finite number ≥ 0 (a time), or throws. */
export function nonNegativeField(ctx: RowContext, field: string, raw: unknown): number {
  const x = numberField(ctx, field, raw);
  if (x < 0) throw new InputError(ctx.file, ctx.line, field, `must not be negative, got ${x}`);
  return x;
}

/** An integer ≥ 0 (a token count that may be zero), or throws. */
export function countField(ctx: RowContext, field: string, raw: unknown): number {
  const x = nonNegativeField(ctx, field, raw);
  if (!Number.isSafeInteger(x)) {
    throw new InputError(ctx.file, ctx.line, field, `must be an integer, got ${x}`);
  }
  return x;
}

/** An integer ≥ 1 (a token count), or throws. */
export function positiveCountField(ctx: RowContext, field: string, raw: unknown): number {
  const x = countField(ctx, field, raw);
  if (x === 0) {
    throw new InputError(ctx.file, ctx.line, field, "must be a positive integer, got 0");
  }
  return x;
}

function show(raw: unknown): string {
  const s = typeof raw === "string" ? `'${raw}'` : JSON.stringify(raw) ?? String(raw);
  return s.length > 60 ? s.slice(0, 57) + "..." : s;
}
