/**
 * CSV files through a library (csv-stringify, csv-parse): RFC 4180 quoting, a header
 * row of column names with their units, numbers written in shortest round-trip form
 * (`String(x)`), and `NaN` written as an empty field.
 *
 * Writing is synchronous and chunked, so memory stays bounded by one chunk; reading is
 * streamed.
 *
 * @module
 */

import { createReadStream } from "node:fs";
import { parse } from "npm:csv-parse@7.0.3";
import { stringify } from "npm:csv-stringify@6.9.0/sync";
import { InputError } from "../core/errors.ts";

/** A CSV field value: numbers are written in round-trip form, `NaN` as an empty field. */
export type CsvValue = string | number;

const FLUSH_CHARS = 1 << 16;
const CACHED_TEXTS = 4096;
const STRINGIFY_OPTIONS = { record_delimiter: "\n" } as const;

/**
 * A CSV file written row by row, synchronously, in chunks of about 64 KiB.
 *
 * The header and every text field are quoted by csv-stringify; a text field's quoted
 * form is cached (a run's texts are a few policy, pool and reason names). Numbers need
 * no quoting and are written as `String(x)`, as csv-stringify does, so the file is
 * byte-for-byte what csv-stringify would write for the same rows, at a fraction of the
 * cost per row.
 *
 * @example
 * ```ts
 * import { CsvFileWriter } from "./csv.ts";
 * const path = Deno.makeTempFileSync({ suffix: ".csv" });
 * const w = new CsvFileWriter(path, ["name", "ttft_ms"]);
 * w.write(["a, \"quoted\"", 12.5]);
 * w.write(["b", NaN]);
 * w.close();
 * const text = Deno.readTextFileSync(path);
 * if (text !== 'name,ttft_ms\n"a, ""quoted""",12.5\nb,\n') throw new Error(text);
 * Deno.removeSync(path);
 * ```
 */
export class CsvFileWriter {
  readonly #file: Deno.FsFile;
  readonly #width: number;
  readonly #path: string;
  readonly #encoder = new TextEncoder();
  readonly #quoted = new Map<string, string>();
  #bytes = new Uint8Array(0);
  #chunk = "";
  #closed = false;

  /**
   * Creates (or truncates) `path` and writes the header row.
   *
   * @param path File to write.
   * @param columns Column names, in order.
   * @throws {Deno.errors.PermissionDenied | Deno.errors.NotFound} When the file cannot be created.
   */
  constructor(path: string, columns: readonly string[]) {
    this.#path = path;
    this.#width = columns.length;
    this.#file = Deno.openSync(path, { write: true, create: true, truncate: true });
    this.#chunk = stringify([columns], STRINGIFY_OPTIONS);
  }

  /** The file's path. */
  get path(): string {
    return this.#path;
  }

  /**
   * Appends one row.
   *
   * @throws {RangeError} When the row's width differs from the header's.
   */
  write(row: readonly CsvValue[]): void {
    if (row.length !== this.#width) {
      throw new RangeError(
        `Cannot write CSV row to '${this.#path}': expected ${this.#width} fields, got ${row.length}`,
      );
    }
    let line = "";
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (i > 0) line += ",";
      line += typeof v === "number" ? (Number.isNaN(v) ? "" : String(v)) : this.#text(v);
    }
    this.#chunk += line + "\n";
    if (this.#chunk.length >= FLUSH_CHARS) this.flush();
  }

  /** Writes what is buffered to the file. */
  flush(): void {
    if (this.#chunk === "") return;
    // Encode into a reused buffer (UTF-8 takes at most 3 bytes per UTF-16 unit).
    if (this.#bytes.length < 3 * this.#chunk.length) {
      this.#bytes = new Uint8Array(3 * this.#chunk.length);
    }
    const { written } = this.#encoder.encodeInto(this.#chunk, this.#bytes);
    this.#chunk = "";
    let off = 0;
    while (off < written) off += this.#file.writeSync(this.#bytes.subarray(off, written));
  }

  /** Flushes and closes the file. Calling it again does nothing. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    this.#file.close();
  }

  #text(s: string): string {
    let q = this.#quoted.get(s);
    if (q === undefined) {
      q = stringify([[s]], STRINGIFY_OPTIONS).slice(0, -1);
      if (this.#quoted.size < CACHED_TEXTS) this.#quoted.set(s, q);
    }
    return q;
  }
}

/** One parsed CSV data row: field values by column name, and its 1-based line. */
export interface CsvRow {
  /** Field values by column name (strings, as in the file). */
  readonly fields: Readonly<Record<string, string>>;
  /**
   * 1-based line number of the row in the file (the header is line 1); for a row whose
   * quoted fields span lines, its last line.
   */
  readonly line: number;
}

/**
 * Streams the data rows of a CSV file with a header row.
 *
 * @param path File to read.
 * @param required Columns that must be present in the header.
 * @example
 * ```ts
 * import { CsvFileWriter, readCsv } from "./csv.ts";
 * const path = Deno.makeTempFileSync({ suffix: ".csv" });
 * const w = new CsvFileWriter(path, ["id", "note"]);
 * w.write([1, 'say "hi", then go']);
 * w.close();
 * for await (const row of readCsv(path, ["id"])) {
 *   if (row.fields.note !== 'say "hi", then go' || row.line !== 2) throw new Error("bad round trip");
 * }
 * Deno.removeSync(path);
 * ```
 * @throws {InputError} On malformed CSV or a missing required column.
 */
export async function* readCsv(
  path: string,
  required: readonly string[] = [],
): AsyncGenerator<CsvRow> {
  const parser = createReadStream(path).pipe(
    parse({ columns: checkHeader(path, required), info: true, skip_empty_lines: true }),
  );
  try {
    for await (const item of parser) {
      const { record, info } = item as {
        record: Record<string, string>;
        info: { lines: number };
      };
      yield { fields: record, line: info.lines };
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const err = e as { message?: string; lines?: number };
    throw new InputError(path, err.lines ?? 0, "", `is not valid CSV: ${err.message}`, {
      cause: e,
    });
  } finally {
    parser.destroy();
  }
}

function checkHeader(path: string, required: readonly string[]): (header: string[]) => string[] {
  return (header: string[]): string[] => {
    for (const column of required) {
      if (!header.includes(column)) {
        throw new InputError(path, 1, column, "is missing from the header");
      }
    }
    return header;
  };
}

/**
 * Parses a numeric CSV field: an empty field is `NaN` (when `allowEmpty`), anything
 * else must be a finite number.
 *
 * @throws {InputError} Naming `file:line` and the field.
 */
export function csvNumber(row: CsvRow, file: string, field: string, allowEmpty = false): number {
  const raw = row.fields[field] ?? "";
  if (raw === "") {
    if (allowEmpty) return NaN;
    throw new InputError(file, row.line, field, "is empty; expected a number");
  }
  const x = Number(raw);
  if (!Number.isFinite(x)) {
    throw new InputError(file, row.line, field, `must be a number, got '${raw}'`);
  }
  return x;
}
