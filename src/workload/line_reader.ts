/**
 * A streaming line reader over a file, plain or gzip-compressed (detected from the
 * first two bytes, `1f 8b`): the file is read in chunks and never held whole, so
 * memory is O(longest line + one chunk).
 *
 * @module
 */

import { InputError } from "../core/errors.ts";
import { gzipProblem } from "./_gzip_check.ts";

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * Reads a text file line by line. Line ends may be `\n` or `\r\n`; a UTF-8 byte
 * order mark at the start is dropped; the last line needs no line end.
 *
 * @example
 * ```ts
 * import { LineReader } from "./line_reader.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "a\r\nb\nc");
 * const reader = await LineReader.open(path);
 * const lines: string[] = [];
 * for (let line; (line = await reader.readLine()) !== null;) lines.push(line);
 * reader.close();
 * await Deno.remove(path);
 * if (lines.join("|") !== "a|b|c") throw new Error(lines.join("|"));
 * ```
 */
export class LineReader {
  /** The file being read (as given). */
  readonly path: string;
  /** Whether the file is gzip-compressed. */
  readonly gzip: boolean;
  /** 1-based number of the line last returned by {@linkcode LineReader.readLine} (0 before). */
  lineNo = 0;
  readonly #reader: ReadableStreamDefaultReader<string>;
  readonly #file: Deno.FsFile;
  #lines: string[] = [];
  #i = 0;
  #tail = "";
  #eof = false;
  #closed = false;

  private constructor(
    path: string,
    file: Deno.FsFile,
    reader: ReadableStreamDefaultReader<string>,
    gzip: boolean,
  ) {
    this.path = path;
    this.#file = file;
    this.#reader = reader;
    this.gzip = gzip;
  }

  /**
   * Opens `path` for reading.
   *
   * @throws {InputError} When the file cannot be opened (missing, a directory, no permission).
   */
  static async open(path: string): Promise<LineReader> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
      const info = await file.stat();
      if (!info.isFile) {
        file.close();
        throw new InputError(path, 0, "", "is not a regular file");
      }
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(path, 0, "", `cannot be opened: ${(e as Error).message}`, { cause: e });
    }
    // Peek at the first chunk to detect gzip, then put it back in front of the rest.
    const raw = file.readable.getReader();
    let first: Uint8Array | undefined;
    try {
      const r = await raw.read();
      first = r.done ? undefined : r.value;
    } catch (e) {
      raw.releaseLock();
      file.close();
      throw new InputError(path, 0, "", `cannot be read: ${(e as Error).message}`, { cause: e });
    }
    const gzip = first !== undefined && first.length >= 2 && first[0] === GZIP_MAGIC_0 &&
      first[1] === GZIP_MAGIC_1;
    const bytes = new ReadableStream<Uint8Array>({
      start(controller) {
        if (first !== undefined) controller.enqueue(first);
      },
      async pull(controller) {
        const r = await raw.read();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      },
      cancel(reason) {
        return raw.cancel(reason);
      },
    });
    const plain = gzip
      ? bytes.pipeThrough(
        new DecompressionStream("gzip") as unknown as TransformStream<
          Uint8Array,
          Uint8Array
        >,
      )
      : bytes;
    const text = plain.pipeThrough(new TextDecoderStream("utf-8"));
    return new LineReader(path, file, text.getReader(), gzip);
  }

  /**
   * The next line without its line end, or `null` at the end of the file (after
   * which the file is closed).
   *
   * @throws {InputError} When the file cannot be read or is not valid gzip.
   */
  async readLine(): Promise<string | null> {
    while (this.#i >= this.#lines.length) {
      if (this.#eof) {
        this.close();
        return null;
      }
      await this.#fill();
    }
    this.lineNo++;
    return this.#lines[this.#i++];
  }

  async #fill(): Promise<void> {
    let r: ReadableStreamReadResult<string>;
    try {
      r = await this.#reader.read();
    } catch (e) {
      this.close();
      const what = this.gzip
        ? await gzipProblem(this.path) // truncated, or corrupt (and how)
        : `cannot be read: ${(e as Error).message}`;
      throw new InputError(this.path, this.lineNo + 1, "", what, { cause: e });
    }
    let text: string;
    if (r.done) {
      this.#eof = true;
      text = this.#tail;
      this.#tail = "";
      this.#lines = text.length > 0 ? [stripCr(text)] : [];
      this.#i = 0;
      this.#stripBom();
      return;
    }
    text = this.#tail + r.value;
    const parts = text.split("\n");
    this.#tail = parts.pop()!;
    for (let k = 0; k < parts.length; k++) parts[k] = stripCr(parts[k]);
    this.#lines = parts;
    this.#i = 0;
    this.#stripBom();
  }

  #stripBom(): void {
    if (this.lineNo === 0 && this.#lines.length > 0 && this.#lines[0].charCodeAt(0) === 0xfeff) {
      this.#lines[0] = this.#lines[0].slice(1);
    }
  }

  /** Closes the file (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader.cancel().catch(() => {});
    try {
      this.#file.close();
    } catch {
      // Already closed by the stream ending.
    }
  }
}

function stripCr(s: string): string {
  return s.length > 0 && s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
}
