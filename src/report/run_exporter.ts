/**
 * The producer side of `--out DIR`: takes records, fleet samples and migrations from a
 * running simulation and hands them, packed in batches, to a {@linkcode RunWriter} on a
 * worker thread (or on the caller's thread), so that formatting CSV and rendering plots
 * overlap the simulation instead of adding to it.
 *
 * Memory stays bounded: at most 64 batches of 512 KiB are in flight; when the writer
 * falls further behind, {@linkcode RunExporter.throttle}'s request source makes the
 * simulation wait before its next batch of arrivals.
 *
 * @module
 */

import type { RequestRecord } from "../core/record.ts";
import type { FleetSnapshot, InferenceRequest, RequestSource } from "../core/types.ts";
import {
  applyOps,
  fleetOpSize,
  type FromWorker,
  MIGRATION_OP_SIZE,
  putFleet,
  putMigration,
  putRequest,
  putSample,
  REQUEST_OP_SIZE,
  sampleOpSize,
  type ToWorker,
} from "./_export_ops.ts";
import { runLabel, type RunMeta, RunWriter } from "./run_writer.ts";

/** Options of {@linkcode RunExporter}. */
export interface RunExporterOptions {
  /** Output directory (created when missing). */
  readonly dir: string;
  /** Interval of fleet samples, simulated ms. */
  readonly sampleMs: number;
  /** The run's label in its report. Default: the directory's name. */
  readonly label?: string;
  /**
   * Write on a worker thread. Default `true`; `false` writes on the caller's thread,
   * which is faster for small runs (starting a worker takes about 0.25 s).
   */
  readonly threaded?: boolean;
}

/** Numbers per batch (512 KiB). */
const BATCH_NUMBERS = 1 << 16;
/**
 * Batches in flight (32 MiB) before the simulation is made to wait: enough slack that a
 * worker starved for a while by other processes does not stall the simulation (8 did,
 * on a shared 2-core machine).
 */
const MAX_IN_FLIGHT = 64;

/**
 * Streams one run to an export directory.
 *
 * @example
 * ```ts
 * import { RunExporter } from "./run_exporter.ts";
 * import { comparePolicies, DEFAULT_SCENARIO, syntheticWorkload } from "../sim/compare.ts";
 * const dir = Deno.makeTempDirSync();
 * const exporter = new RunExporter({ dir, sampleMs: 1000 });
 * try {
 *   const config = { ...DEFAULT_SCENARIO, requests: 100 };
 *   const report = await comparePolicies(config, {
 *     makeWorkload: (c) => exporter.throttle(syntheticWorkload(c)),
 *     onPolicyStart: (p) => exporter.startPolicy(p),
 *     onRequest: (_, r) => exporter.request(r),
 *     sampleIntervalMs: 1000,
 *     onSample: (_, fleet, t) => exporter.sample(fleet, t),
 *     onMigration: (_, t, from, to) => exporter.migration(t, from, to),
 *   });
 *   await exporter.finish({
 *     config: { ...config }, results: report.results,
 *     slo: { ttftMs: config.sloTtftMs, tpotMs: config.sloTpotMs }, versions: {},
 *   });
 * } finally {
 *   exporter.close();
 * }
 * Deno.statSync(`${dir}/report.html`);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export class RunExporter {
  readonly #writer: RunWriter | null;
  readonly #worker: Worker | null;
  readonly #free: Float64Array<ArrayBuffer>[] = [];
  #buf: Float64Array<ArrayBuffer>;
  #pos = 0;
  #inFlight = 0;
  #fleetSent = false;
  #error: Error | null = null;
  #wake: (() => void)[] = [];
  #finishing: { resolve: (files: string[]) => void; reject: (e: Error) => void } | null = null;
  #closed = false;

  /**
   * Opens the export directory (on the worker, when threaded).
   *
   * @throws {RangeError} When `sampleMs` is not positive.
   */
  constructor(options: RunExporterOptions) {
    if (!(options.sampleMs > 0) || !Number.isFinite(options.sampleMs)) {
      throw new RangeError(
        `Cannot create RunExporter: 'sampleMs' must be a positive number, got ${options.sampleMs}`,
      );
    }
    this.#buf = new Float64Array(BATCH_NUMBERS);
    if (options.threaded ?? true) {
      this.#writer = null;
      const worker = new Worker(new URL("./export_worker.ts", import.meta.url).href, {
        type: "module",
      });
      worker.onmessage = (e: MessageEvent<FromWorker>) => this.#onMessage(e.data);
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        this.#fail(new Error(`Export worker failed: ${e.message}`));
      };
      this.#worker = worker;
      this.#post({
        t: "open",
        dir: options.dir,
        sampleMs: options.sampleMs,
        label: options.label ?? runLabel(options.dir),
      });
    } else {
      this.#worker = null;
      this.#writer = new RunWriter(options.dir, options.sampleMs, options.label);
    }
  }

  /** Starts the records of `policy` (its fleet layout is taken from its first sample). */
  startPolicy(policy: string): void {
    this.#flush();
    this.#fleetSent = false;
    if (this.#writer) this.#writer.startPolicy(policy);
    else this.#post({ t: "policy", name: policy });
  }

  /** Exports one request record (copied at once; the record may be reused). */
  request(r: Readonly<RequestRecord>): void {
    this.#reserve(REQUEST_OP_SIZE);
    this.#pos = putRequest(this.#buf, this.#pos, r);
  }

  /** Exports one fleet sample taken at `tMs` (copied at once). */
  sample(fleet: FleetSnapshot, tMs: number): void {
    if (!this.#fleetSent) {
      this.#reserve(fleetOpSize(fleet.n));
      this.#pos = putFleet(this.#buf, this.#pos, fleet);
      this.#fleetSent = true;
    }
    this.#reserve(sampleOpSize(fleet.n));
    this.#pos = putSample(this.#buf, this.#pos, fleet, tMs);
  }

  /** Exports one decode migration, decided at `decidedMs`. */
  migration(decidedMs: number, from: number, to: number): void {
    this.#reserve(MIGRATION_OP_SIZE);
    this.#pos = putMigration(this.#buf, this.#pos, decidedMs, from, to);
  }

  /**
   * Wraps a request source so that its next batch waits while the writer is more than a
   * few batches behind (the simulation awaits its source). Requests pass unchanged.
   */
  throttle(source: RequestSource): RequestSource {
    const next = (): readonly InferenceRequest[] | Promise<readonly InferenceRequest[]> => {
      if (this.#error) throw this.#error;
      if (this.#inFlight < MAX_IN_FLIGHT) return source.next();
      return this.#drain(MAX_IN_FLIGHT / 2).then(() => source.next());
    };
    return { name: source.name, blockTokens: source.blockTokens, next };
  }

  /**
   * Flushes what is left, then writes `summary.json`, the plots and `report.html`.
   * Returns the paths written.
   *
   * @throws {Error} When writing failed (on the worker or here).
   */
  async finish(meta: RunMeta): Promise<string[]> {
    this.#flush();
    if (this.#writer) {
      return await this.#writer.finish(meta);
    }
    if (this.#error) throw this.#error;
    const done = new Promise<string[]>((resolve, reject) => {
      this.#finishing = { resolve, reject };
    });
    this.#post({ t: "finish", meta });
    return await done;
  }

  /** Stops the worker (if any). Call it once the run is over, finished or not. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker?.terminate();
    this.#writer?.abort();
  }

  #reserve(size: number): void {
    if (this.#pos + size > this.#buf.length) this.#flush();
    if (size > this.#buf.length) this.#buf = new Float64Array(size);
  }

  #flush(): void {
    if (this.#pos === 0) return;
    if (this.#writer) {
      applyOps(this.#writer, this.#buf, this.#pos);
      this.#pos = 0;
      return;
    }
    const buf = this.#buf;
    this.#post({ t: "batch", buf, length: this.#pos }, [buf.buffer]);
    this.#inFlight++;
    this.#buf = this.#free.pop() ?? new Float64Array(BATCH_NUMBERS);
    this.#pos = 0;
  }

  #post(message: ToWorker, transfer: Transferable[] = []): void {
    if (this.#error) throw this.#error;
    this.#worker!.postMessage(message, transfer);
  }

  #drain(target: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.#error) reject(this.#error);
        else if (this.#inFlight <= target) resolve();
        else this.#wake.push(check);
      };
      check();
    });
  }

  #onMessage(m: FromWorker): void {
    if (m.t === "ack") {
      this.#inFlight--;
      if (m.buf.length === BATCH_NUMBERS) this.#free.push(m.buf);
    } else if (m.t === "done") {
      this.#finishing?.resolve(m.files);
      this.#finishing = null;
    } else {
      this.#fail(new Error(m.message));
    }
    this.#notify();
  }

  #fail(e: Error): void {
    this.#error ??= e;
    this.#finishing?.reject(this.#error);
    this.#finishing = null;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = [];
    for (const f of wake) f();
  }
}
