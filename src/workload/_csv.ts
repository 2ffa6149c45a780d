/**
 * Minimal CSV support for trace files: one record per line (no embedded line breaks),
 * comma-separated, fields optionally double-quoted with `""` as an escaped quote.
 *
 * @module
 */

import { InputError } from "../core/errors.ts";

/** Splits one CSV line into fields (fast path when the line has no quotes). */
export function splitCsvLine(line: string): string[] {
  if (line.indexOf('"') < 0) return line.split(",");
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(field);
      field = "";
    } else field += c;
  }
  out.push(field);
  return out;
}

/** Column names of a header line, trimmed. */
export function headerColumns(line: string): string[] {
  return splitCsvLine(line).map((s) => s.trim());
}

/**
 * Column index of each of `names` in a header, or an {@linkcode InputError} naming the
 * first missing column.
 */
export function requireColumns(
  file: string,
  header: readonly string[],
  names: readonly string[],
): number[] {
  return names.map((name) => {
    const i = header.indexOf(name);
    if (i < 0) {
      throw new InputError(
        file,
        1,
        name,
        `is missing from the header (found: ${header.join(", ")})`,
      );
    }
    return i;
  });
}

/** Quotes a CSV field when it needs it. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
