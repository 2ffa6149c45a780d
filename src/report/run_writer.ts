/**
 * Writes one run's export directory as the run goes: `requests.csv`, `timeseries.csv`
 * and `migrations.csv` are streamed to disk; plot data is kept in bounded memory; at
 * the end come `summary.json`, `plots/*.svg` and `report.html`.
 *
 * @module
 */

import { basename, join, resolve } from "node:path";
import type { RequestRecord } from "../core/record.ts";
import type { FleetSnapshot } from "../core/types.ts";
import { CsvFileWriter, type CsvValue } from "../metrics/csv.ts";
import {
  packSample,
  poolName,
  SAMPLE_FIELDS,
  sampleCsvRows,
  TIMESERIES_CSV_COLUMNS,
} from "../metrics/fleet_sample.ts";
import type { RunSummary, Slo } from "../metrics/recorder.ts";
import { ReportBuilder } from "./report_data.ts";
import { REQUEST_CSV_COLUMNS, requestCsvRow } from "../metrics/request_csv.ts";
import { formatSummaryFile, type RunSummaryFile, SUMMARY_FORMAT } from "../metrics/summary_file.ts";
import { vegaVersions } from "./render_svg.ts";
import { REPORT_FILE, writeReport } from "./write_report.ts";

/** File names inside an export directory. */
export const RUN_FILES = {
  requests: "requests.csv",
  timeseries: "timeseries.csv",
  migrations: "migrations.csv",
  summary: "summary.json",
  report: REPORT_FILE,
} as const;

/** Columns of `migrations.csv`: one row per decode migration, when it was decided. */
export const MIGRATION_CSV_COLUMNS: readonly string[] = [
  "policy",
  "decided_ms",
  "from_worker",
  "to_worker",
];

/** What the end of a run adds to its export. */
export interface RunMeta {
  /** The run's configuration (plain data, printed as is). */
  readonly config: Record<string, unknown>;
  /** Per-policy summaries, in run order. */
  readonly results: readonly RunSummary[];
  /** The objectives. */
  readonly slo: Slo;
  /** Versions of the software (Vega's are added). */
  readonly versions: Record<string, string>;
  /** The command line that ran it (`deno task sim …`), as the user typed it. */
  readonly command?: readonly string[];
}

/**
 * The writer behind `--out DIR`, fed by a simulation's hooks as it runs. Call
 * {@linkcode RunWriter.startPolicy} before each policy's records and
 * {@linkcode RunWriter.finish} once at the end. Rows go to disk in 64 KiB chunks, so
 * memory does not grow with the number of requests.
 *
 * @example
 * ```ts
 * import { RunWriter } from "./run_writer.ts";
 * import { comparePolicies, DEFAULT_SCENARIO } from "../sim/compare.ts";
 * const dir = Deno.makeTempDirSync();
 * const writer = new RunWriter(dir, 1000);
 * const config = { ...DEFAULT_SCENARIO, requests: 100 };
 * const report = await comparePolicies(config, {
 *   onPolicyStart: (p) => writer.startPolicy(p),
 *   onRequest: (_, r) => writer.request(r),
 *   sampleIntervalMs: 1000,
 *   onSample: (_, fleet, t) => writer.sample(fleet, t),
 *   onMigration: (_, t, from, to) => writer.migration(t, from, to),
 * });
 * await writer.finish({
 *   config: { ...config }, results: report.results,
 *   slo: { ttftMs: config.sloTtftMs, tpotMs: config.sloTpotMs }, versions: {},
 * });
 * Deno.statSync(`${dir}/report.html`);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export class RunWriter {
  readonly #dir: string;
  readonly #label: string;
  readonly #sampleMs: number;
  readonly #requests: CsvFileWriter;
  readonly #timeseries: CsvFileWriter;
  readonly #migrations: CsvFileWriter;
  readonly #builder: ReportBuilder;
  #policy = "";
  #series = -1;
  #roles: Uint8Array | null = null;
  #values = new Float64Array(0);
  #fleet: string[] = [];

  /**
   * Creates `dir` (when missing) and opens the CSV files in it.
   *
   * @param dir Output directory.
   * @param sampleMs Interval of fleet samples, simulated ms (sets the time bins).
   * @param label The run's label in its report (default: the directory's name; a run
   *   staged in a temporary folder passes its final folder's name).
   * @throws {RangeError} When `sampleMs` is not positive.
   * @throws {Deno.errors.AlreadyExists | Deno.errors.PermissionDenied} When `dir` cannot be
   * created or written.
   */
  constructor(dir: string, sampleMs: number, label: string = runLabel(dir)) {
    if (!(sampleMs > 0) || !Number.isFinite(sampleMs)) {
      throw new RangeError(
        `Cannot create RunWriter: 'sampleMs' must be a positive number, got ${sampleMs}`,
      );
    }
    this.#dir = dir;
    this.#label = label;
    this.#sampleMs = sampleMs;
    this.#builder = new ReportBuilder(sampleMs);
    Deno.mkdirSync(dir, { recursive: true });
    this.#requests = new CsvFileWriter(join(dir, RUN_FILES.requests), REQUEST_CSV_COLUMNS);
    this.#timeseries = new CsvFileWriter(join(dir, RUN_FILES.timeseries), TIMESERIES_CSV_COLUMNS);
    this.#migrations = new CsvFileWriter(join(dir, RUN_FILES.migrations), MIGRATION_CSV_COLUMNS);
  }

  /** Starts the records of `policy`. */
  startPolicy(policy: string): void {
    this.#policy = policy;
    this.#series = this.#builder.series(this.#label, policy);
    this.#roles = null;
  }

  /** Writes one request's row (the record may be reused afterwards). */
  request(r: Readonly<RequestRecord>): void {
    const series = this.#currentSeries();
    this.#requests.write(requestCsvRow(this.#policy, r));
    this.#builder.addRequest(series, r);
  }

  /**
   * Sets the current policy's fleet layout (worker roles by id); needed before
   * {@linkcode RunWriter.samplePacked}. {@linkcode RunWriter.sample} calls it itself.
   */
  setFleet(roles: ArrayLike<number>): void {
    this.#roles = Uint8Array.from(roles);
    this.#builder.setFleet(this.#currentSeries(), this.#roles);
    if (this.#fleet.length === 0) this.#fleet = Array.from(this.#roles, poolName);
  }

  /**
   * Writes one fleet sample taken at `tMs`: a row per worker and per pool. The layout
   * is taken from the policy's first sample.
   */
  sample(fleet: FleetSnapshot, tMs: number): void {
    if (!this.#roles) this.setFleet(fleet.role);
    if (this.#values.length !== fleet.n * SAMPLE_FIELDS) {
      this.#values = new Float64Array(fleet.n * SAMPLE_FIELDS);
    }
    packSample(fleet, this.#values, 0);
    this.samplePacked(tMs, this.#values, 0);
  }

  /**
   * Writes one packed fleet sample (see `packSample`) taken at `tMs`.
   *
   * @throws {RangeError} Before {@linkcode RunWriter.setFleet}.
   */
  samplePacked(tMs: number, values: Float64Array, offset: number): void {
    const roles = this.#roles;
    if (!roles) throw new RangeError("Cannot write a sample: call setFleet first");
    sampleCsvRows(this.#policy, tMs, roles, values, offset, this.#writeSample);
    this.#builder.addSample(this.#currentSeries(), tMs, values, offset);
  }

  readonly #writeSample = (row: CsvValue[]): void => this.#timeseries.write(row);

  /** Writes one migration. */
  migration(decidedMs: number, from: number, to: number): void {
    const series = this.#currentSeries();
    this.#migrations.write([this.#policy, decidedMs, from, to]);
    this.#builder.addMigration(series, decidedMs);
  }

  /**
   * Closes the CSV files and writes `summary.json`, the plots and `report.html`.
   * Returns the paths written, CSV files included.
   */
  async finish(meta: RunMeta): Promise<string[]> {
    this.#requests.close();
    this.#timeseries.close();
    this.#migrations.close();
    const size = (w: CsvFileWriter) => Deno.statSync(w.path).size;
    const summary: RunSummaryFile = {
      format: SUMMARY_FORMAT,
      config: meta.config,
      results: [...meta.results],
      slo: meta.slo,
      fleet: this.#fleet,
      sampleMs: this.#sampleMs,
      files: {
        requests: RUN_FILES.requests,
        timeseries: RUN_FILES.timeseries,
        migrations: RUN_FILES.migrations,
        report: RUN_FILES.report,
      },
      bytes: {
        requests: size(this.#requests),
        timeseries: size(this.#timeseries),
        migrations: size(this.#migrations),
      },
      versions: { ...meta.versions, ...(await vegaVersions()) },
      ...(meta.command ? { command: [...meta.command] } : {}),
    };
    const summaryPath = join(this.#dir, RUN_FILES.summary);
    await Deno.writeTextFile(summaryPath, formatSummaryFile(summary));
    const label = this.#label;
    const pages = await writeReport(
      this.#dir,
      `pdrouter report · ${label}`,
      [{ label, summary }],
      this.#builder.build(),
    );
    return [
      this.#requests.path,
      this.#timeseries.path,
      this.#migrations.path,
      summaryPath,
      ...pages,
    ];
  }

  /** Closes the CSV files without writing the rest (after a failed run). Idempotent. */
  abort(): void {
    this.#requests.close();
    this.#timeseries.close();
    this.#migrations.close();
  }

  #currentSeries(): number {
    if (this.#series < 0) throw new RangeError("Cannot write a record: call startPolicy first");
    return this.#series;
  }
}

/** The label of a run: its directory's name. */
export function runLabel(dir: string): string {
  return basename(resolve(dir));
}
