/**
 * Trace replay: a {@linkcode RequestSource} that streams a trace file (plain or gzip),
 * validates every row, and applies a time window, a request limit and rate scaling.
 * Memory is O(one batch + one read chunk): the file is never loaded whole.
 *
 * - **Window**: `startS`/`durationS` select rows by trace time, counted from the first
 *   row; the first replayed request arrives at 0.
 * - **Rate scaling**: inter-arrival times are divided by `rateScale` (2 = twice the
 *   load).
 * - **Block ids**: Mooncake `hash_ids` (512-token blocks) become the requests' KV
 *   blocks, so prefix caches see the trace's real sharing; ids that fit 32 bits are
 *   used as they are, larger ones are mapped to unused 32-bit ids (equal in, equal out).
 *   Formats without block ids get fresh, never reused ids (no false sharing).
 * - **Length-only traces** get Poisson arrivals from `ratePerS` and `seed`.
 * - **Bad rows** throw an {@linkcode InputError} naming file, line and field, or with
 *   `skipBad` are skipped and counted in {@linkcode TraceStats}. BurstGPT rows with 0
 *   response tokens (failed requests) are always skipped and counted.
 *
 * @module
 */

import { InputError } from "../core/errors.ts";
import { exponential, Rng } from "../core/rng.ts";
import type { InferenceRequest, RandomSource, RequestSource } from "../core/types.ts";
import { LineReader } from "./line_reader.ts";
import { createRowParser, hasHeader, resolveTraceFormat } from "./trace_format.ts";
import {
  createTraceRow,
  type RowParser,
  RowStatus,
  TRACE_FORMATS,
  type TraceFormat,
} from "./trace_row.ts";

/**
 * Tokens per KV block given to formats without block ids: 64, the block size of the
 * synthetic workloads (`catalog.ts`), so that cache sizes in blocks compare.
 */
export const DEFAULT_TRACE_BLOCK_TOKENS = 64;

/** Requests per batch returned by {@linkcode TraceSource.next}. */
const BATCH = 256;

/** How to read and replay a trace. */
export interface TraceOptions {
  /** The trace file (`.gz` or not: gzip is detected from its first bytes). */
  readonly path: string;
  /** The file's format, or `"auto"` to detect it from the first line. Default `"auto"`. */
  readonly format?: TraceFormat | "auto";
  /** Divides inter-arrival times (2 = twice the load). Default 1. */
  readonly rateScale?: number;
  /** Start of the replayed window, seconds of trace time after the first row. Default 0. */
  readonly startS?: number;
  /** Length of the replayed window, seconds of trace time. Default: to the end. */
  readonly durationS?: number;
  /** Most requests to replay. Default: all. */
  readonly limit?: number;
  /** Skip and count malformed rows instead of failing. Default false. */
  readonly skipBad?: boolean;
  /** Arrival rate for length-only traces, requests/s (required for them). */
  readonly ratePerS?: number;
  /** Seed of the generated arrivals of length-only traces. Default 1. */
  readonly seed?: number;
  /** Tokens per fresh block for formats without block ids. Default 64. */
  readonly blockTokens?: number;
}

/** What a trace read found. Counts are of data lines (the header and blank lines excluded). */
export interface TraceStats {
  /** The file. */
  path: string;
  /** Its format. */
  format: TraceFormat;
  /** Data rows read (reading stops at the end of the window or at the limit). */
  rows: number;
  /** Requests replayed. */
  requests: number;
  /** Malformed rows skipped (only with `skipBad`). */
  skipped: number;
  /** Well-formed rows with 0 output tokens (failed requests), not replayed. */
  skippedZeroOutput: number;
  /** Rows before the window's start, not replayed. */
  beforeStart: number;
  /** The first skipped row's error message (`""` when none was skipped). */
  firstSkipped: string;
  /** Arrival of the last replayed request, ms (after re-basing and scaling; 0 when none). */
  lastArrivalMs: number;
  /** Prompt tokens of the replayed requests. */
  promptTokens: number;
  /** Output tokens of the replayed requests. */
  outputTokens: number;
}

/**
 * Streams a trace as a {@linkcode RequestSource}. Each instance reads the file once;
 * create one per simulation run. Prefer {@linkcode openTrace}, which detects the format.
 *
 * @example Replay a Mooncake trace at twice its rate
 * ```ts
 * import { TraceSource } from "./trace_reader.ts";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(path,
 *   '{"timestamp": 0, "input_length": 600, "output_length": 5, "hash_ids": [0, 1]}\n' +
 *   '{"timestamp": 1000, "input_length": 100, "output_length": 7, "hash_ids": [0]}\n');
 * const source = new TraceSource({ path, format: "mooncake", rateScale: 2 });
 * const batch = await source.next();
 * if (batch.length !== 2 || batch[1].arrivalMs !== 500) throw new Error("unexpected");
 * await Deno.remove(path);
 * ```
 */
export class TraceSource implements RequestSource {
  /** Display name: the file. */
  readonly name: string;
  /** Tokens per block of the requests' `blocks`. */
  readonly blockTokens: number;
  /** The trace format. */
  readonly format: TraceFormat;
  readonly #path: string;
  readonly #rateScale: number;
  readonly #startMs: number;
  readonly #endMs: number;
  readonly #limit: number;
  readonly #skipBad: boolean;
  readonly #meanGapMs: number;
  readonly #rng: RandomSource | null;
  readonly #batch: InferenceRequest[] = [];
  readonly #row = createTraceRow();
  #reader: LineReader | null = null;
  #parser: RowParser | null = null;
  #pending: string | null = null; // a data line read while looking for the header
  #done = false;
  #validRows = 0;
  #lastTimeMs = -Infinity;
  #lastTimeLine = 0;
  #firstTimeMs = NaN;
  #baseMs = NaN;
  #clockMs = 0; // generated arrivals (length-only traces)
  #nextFresh = 0;
  #bigIds: Map<number, number> | null = null;
  #bigFloor = 2 ** 32; // ids at or above were handed out to map hash ids ≥ 2^32
  #maxSmallId = -1;
  #stats: TraceStats;

  /**
   * Creates a source over `options.path` in a known format (nothing is read yet).
   *
   * @throws {RangeError} On a bad option value, or `format: "auto"` (use {@linkcode openTrace}).
   */
  constructor(options: TraceOptions) {
    const fmt = options.format ?? "auto";
    if (fmt === "auto") {
      throw new RangeError(
        "Cannot create TraceSource: 'format' must be a known format; use openTrace() to detect it",
      );
    }
    if (!(TRACE_FORMATS as readonly string[]).includes(fmt)) {
      throw new RangeError(
        `Cannot create TraceSource: 'format' must be one of ${TRACE_FORMATS.join(", ")}, ` +
          `got '${fmt}'`,
      );
    }
    const rateScale = options.rateScale ?? 1;
    const startS = options.startS ?? 0;
    const durationS = options.durationS ?? Infinity;
    const limit = options.limit ?? Infinity;
    const bt = options.blockTokens ?? DEFAULT_TRACE_BLOCK_TOKENS;
    check(Number.isFinite(rateScale) && rateScale > 0, "rateScale", "a positive number", rateScale);
    check(Number.isFinite(startS) && startS >= 0, "startS", "a number ≥ 0", startS);
    check(durationS > 0, "durationS", "a positive number", durationS);
    check(
      limit === Infinity || (Number.isInteger(limit) && limit > 0),
      "limit",
      "a positive integer",
      limit,
    );
    check(Number.isInteger(bt) && bt > 0, "blockTokens", "a positive integer", bt);
    this.format = fmt;
    this.name = options.path;
    this.#path = options.path;
    this.blockTokens = fmt === "mooncake" ? 512 : bt;
    this.#rateScale = rateScale;
    this.#startMs = startS * 1000;
    this.#endMs = this.#startMs + durationS * 1000;
    this.#limit = limit;
    this.#skipBad = options.skipBad ?? false;
    if (fmt === "lengths") {
      const rate = options.ratePerS;
      check(
        rate !== undefined && Number.isFinite(rate) && rate > 0,
        "ratePerS",
        "a positive number for a length-only trace",
        rate,
      );
      this.#meanGapMs = 1000 / rate!;
      this.#rng = new Rng(options.seed ?? 1).source();
    } else {
      this.#meanGapMs = 0;
      this.#rng = null;
    }
    this.#stats = {
      path: options.path,
      format: fmt,
      rows: 0,
      requests: 0,
      skipped: 0,
      skippedZeroOutput: 0,
      beforeStart: 0,
      firstSkipped: "",
      lastArrivalMs: 0,
      promptTokens: 0,
      outputTokens: 0,
    };
  }

  /** Counts so far (final once {@linkcode TraceSource.next} has returned an empty batch). */
  get stats(): Readonly<TraceStats> {
    return this.#stats;
  }

  /**
   * The next requests in arrival order; an empty array at the end. The array is
   * reused by the next call.
   *
   * @throws {InputError} On a malformed row (without `skipBad`), an empty file, or a
   * file whose rows are all malformed.
   */
  async next(): Promise<readonly InferenceRequest[]> {
    const out = this.#batch;
    out.length = 0;
    if (this.#done) return out;
    try {
      if (!this.#reader) await this.#open();
      await this.#fill(out);
    } catch (e) {
      this.close();
      throw e;
    }
    return out;
  }

  /** Stops reading and closes the file (idempotent). */
  close(): void {
    this.#done = true;
    this.#reader?.close();
  }

  async #open(): Promise<void> {
    const reader = await LineReader.open(this.#path);
    this.#reader = reader;
    let first: string | null;
    do first = await reader.readLine(); while (first !== null && first.trim() === "");
    if (first === null) throw new InputError(this.#path, 0, "", "is empty: it has no requests");
    this.#parser = createRowParser(this.format, this.#path, first);
    if (!hasHeader(this.format)) this.#pending = first;
  }

  async #fill(out: InferenceRequest[]): Promise<void> {
    const reader = this.#reader!;
    const parser = this.#parser!;
    const row = this.#row;
    const st = this.#stats;
    while (out.length < BATCH) {
      let line: string | null;
      let lineNo: number;
      if (this.#pending !== null) {
        line = this.#pending;
        this.#pending = null;
        lineNo = reader.lineNo;
      } else {
        line = await reader.readLine();
        lineNo = reader.lineNo;
      }
      if (line === null) {
        this.#finishFile();
        return;
      }
      if (line.trim() === "") continue;
      st.rows++;
      let status: number;
      try {
        status = parser.parse(line, lineNo, row);
        if (parser.timed) {
          if (row.timeMs < this.#lastTimeMs) {
            throw new InputError(
              this.#path,
              lineNo,
              parser.timeField,
              `goes backwards: ${fmtMs(row.timeMs)} ms after ${fmtMs(this.#lastTimeMs)} ms on ` +
                `line ${this.#lastTimeLine} (rows must be in arrival order)`,
            );
          }
        }
      } catch (e) {
        if (this.#skipBad && e instanceof InputError) {
          st.skipped++;
          if (st.firstSkipped === "") st.firstSkipped = e.message;
          continue;
        }
        throw e;
      }
      this.#validRows++;
      let t: number;
      if (parser.timed) {
        t = row.timeMs;
        this.#lastTimeMs = t;
        this.#lastTimeLine = lineNo;
      } else {
        t = this.#clockMs;
        this.#clockMs += exponential(this.#rng!, this.#meanGapMs);
      }
      if (Number.isNaN(this.#firstTimeMs)) this.#firstTimeMs = t;
      const rel = t - this.#firstTimeMs;
      if (rel < this.#startMs) {
        st.beforeStart++;
        continue;
      }
      if (rel >= this.#endMs) {
        this.close();
        return;
      }
      if (status === RowStatus.ZeroOutput) {
        st.skippedZeroOutput++;
        continue;
      }
      if (Number.isNaN(this.#baseMs)) this.#baseMs = t;
      const arrivalMs = (t - this.#baseMs) / this.#rateScale;
      out.push({
        id: st.requests,
        arrivalMs,
        promptTokens: row.inputTokens,
        outputTokens: row.outputTokens,
        maxTokens: row.outputTokens,
        blocks: this.#blocks(row.hashIds, row.inputTokens, lineNo),
        priority: 0,
        sessionId: -1,
      });
      st.requests++;
      st.lastArrivalMs = arrivalMs;
      st.promptTokens += row.inputTokens;
      st.outputTokens += row.outputTokens;
      if (st.requests >= this.#limit) {
        this.close();
        return;
      }
    }
  }

  #finishFile(): void {
    this.close();
    const st = this.#stats;
    if (st.rows === 0) {
      throw new InputError(this.#path, 0, "", "has a header but no data rows: it has no requests");
    }
    if (this.#validRows === 0) {
      throw new InputError(
        this.#path,
        0,
        "",
        `has no valid rows: all ${st.skipped} were skipped as malformed (first: ${st.firstSkipped})`,
      );
    }
  }

  #blocks(hashIds: readonly number[] | null, inputTokens: number, lineNo: number): Uint32Array {
    if (hashIds === null) {
      const n = Math.ceil(inputTokens / this.blockTokens);
      const blocks = new Uint32Array(n);
      let id = this.#nextFresh;
      for (let k = 0; k < n; k++) {
        blocks[k] = id;
        id = id >= 0xffffffff ? 0 : id + 1;
      }
      this.#nextFresh = id;
      return blocks;
    }
    const blocks = new Uint32Array(hashIds.length);
    for (let k = 0; k < hashIds.length; k++) blocks[k] = this.#blockId(hashIds[k], lineNo);
    return blocks;
  }

  /** A 32-bit block id for hash id `h`: itself when it fits, else a stable mapped id. */
  #blockId(h: number, lineNo: number): number {
    if (h < this.#bigFloor) {
      if (h > this.#maxSmallId) this.#maxSmallId = h;
      return h;
    }
    if (h <= 0xffffffff) {
      throw new InputError(
        this.#path,
        lineNo,
        "hash_ids",
        `id ${h} collides with the 32-bit ids given to hash ids ≥ 2^32 (cannot map the trace)`,
      );
    }
    const map = this.#bigIds ??= new Map();
    let id = map.get(h);
    if (id === undefined) {
      id = --this.#bigFloor;
      if (id <= this.#maxSmallId) {
        throw new InputError(
          this.#path,
          lineNo,
          "hash_ids",
          "has too many distinct ids to map onto 32 bits without collisions",
        );
      }
      map.set(h, id);
    }
    return id;
  }
}

function check(ok: boolean, name: string, what: string, got: unknown): void {
  if (!ok) {
    throw new RangeError(`Cannot create TraceSource: '${name}' must be ${what}, got ${got}`);
  }
}

function fmtMs(ms: number): string {
  return Number.isInteger(ms) ? String(ms) : ms.toFixed(4).replace(/0+$/, "");
}

/**
 * Detects a trace's format from its first line (when `options.format` is `"auto"` or
 * absent) and returns a {@linkcode TraceSource} over it.
 *
 * @example
 * ```ts
 * import { openTrace } from "./trace_reader.ts";
 * const path = await Deno.makeTempFile({ suffix: ".csv" });
 * await Deno.writeTextFile(path, "arrived_at,num_prefill_tokens,num_decode_tokens\n0.5,100,10\n");
 * const source = await openTrace({ path });
 * if (source.format !== "vidur") throw new Error(source.format);
 * const [req] = await source.next();
 * if (req.arrivalMs !== 0 || req.promptTokens !== 100) throw new Error("unexpected");
 * await Deno.remove(path);
 * ```
 * @throws {InputError} When the file cannot be read, is empty, or its format cannot be told.
 */
export async function openTrace(options: TraceOptions): Promise<TraceSource> {
  const format = await detectFileFormat(options.path, options.format ?? "auto");
  return new TraceSource({ ...options, format });
}

/**
 * The format of the trace at `path`: `requested` unless it is `"auto"`, else detected
 * from the first non-blank line.
 *
 * @throws {InputError} When the file cannot be read, is empty, or no format matches.
 */
export async function detectFileFormat(
  path: string,
  requested: TraceFormat | "auto" = "auto",
): Promise<TraceFormat> {
  if (requested !== "auto") return requested;
  const reader = await LineReader.open(path);
  try {
    let first: string | null;
    do first = await reader.readLine(); while (first !== null && first.trim() === "");
    if (first === null) throw new InputError(path, 0, "", "is empty: it has no requests");
    return resolveTraceFormat("auto", path, first);
  } finally {
    reader.close();
  }
}

/**
 * Reads a whole trace once, validating every row, and returns its
 * {@linkcode TraceStats}. Memory stays O(one batch).
 *
 * @example
 * ```ts
 * import { scanTrace } from "./trace_reader.ts";
 * const path = await Deno.makeTempFile({ suffix: ".csv" });
 * await Deno.writeTextFile(path, "num_prefill_tokens,num_decode_tokens\n100,10\n200,20\n");
 * const stats = await scanTrace({ path, ratePerS: 5 });
 * if (stats.requests !== 2 || stats.format !== "lengths") throw new Error("unexpected");
 * await Deno.remove(path);
 * ```
 * @throws {InputError} As {@linkcode TraceSource.next}.
 */
export async function scanTrace(options: TraceOptions): Promise<TraceStats> {
  const source = await openTrace(options);
  while ((await source.next()).length > 0) { /* drain */ }
  return { ...source.stats };
}
