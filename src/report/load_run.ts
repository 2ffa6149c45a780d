/**
 * Reads export directories back (`summary.json` and the CSV files, streamed) to rebuild
 * their plots and report, alone or overlaid, and to recompute their summaries.
 *
 * @module
 */

import { join } from "node:path";
import { InputError } from "../core/errors.ts";
import { createRequestRecord } from "../core/record.ts";
import { csvNumber, readCsv } from "../metrics/csv.ts";
import { poolRole, SAMPLE_FIELDS, TIMESERIES_CSV_COLUMNS } from "../metrics/fleet_sample.ts";
import { Recorder, type RunSummary, type Slo } from "../metrics/recorder.ts";
import { ReportBuilder } from "./report_data.ts";
import type { ReportRun } from "./report_html.ts";
import { parseRequestCsvRow, REQUEST_CSV_COLUMNS } from "../metrics/request_csv.ts";
import { MIGRATION_CSV_COLUMNS, RUN_FILES } from "./run_writer.ts";
import { readSummaryFile, type RunSummaryFile } from "../metrics/summary_file.ts";
import { writeReport } from "./write_report.ts";

/**
 * Adds the run in `dir` to `builder` under `label`; returns it for the report.
 *
 * A folder is refused unless one run wrote all of it: the CSV files must have the sizes
 * `summary.json` records, and `requests.csv` as many rows per policy as its summary
 * counts (completed + shed).
 *
 * @throws {InputError} On a missing file, malformed CSV or JSON, rows that do not
 * match `summary.json` (naming `file:line` and the field), or a folder that mixes runs
 * or holds an unfinished one.
 */
export async function loadRun(
  dir: string,
  label: string,
  builder: ReportBuilder,
): Promise<ReportRun> {
  const summaryPath = join(dir, RUN_FILES.summary);
  await mustHaveSummary(dir, summaryPath);
  const summary = await readSummaryFile(summaryPath);
  const roles = summary.fleet.map((pool, w) => {
    const role = poolRole(pool);
    if (role === 0) throw new InputError(summaryPath, 0, `fleet[${w}]`, `is not a pool: '${pool}'`);
    return role;
  });
  const series = new Map<string, number>();
  for (const r of summary.results) {
    const s = builder.series(label, r.policy, summary.sampleMs);
    builder.setFleet(s, roles);
    series.set(r.policy, s);
  }
  const seriesOf = (file: string, line: number, policy: string | undefined): number => {
    const s = series.get(policy ?? "");
    if (s === undefined) {
      throw new InputError(file, line, "policy", `'${policy}' is not a policy of ${summaryPath}`);
    }
    return s;
  };

  const requests = join(dir, summary.files.requests);
  await mustExist(requests);
  const record = createRequestRecord();
  const rows = new Map<string, number>();
  for await (const row of readCsv(requests, REQUEST_CSV_COLUMNS)) {
    const s = seriesOf(requests, row.line, row.fields.policy);
    builder.addRequest(s, parseRequestCsvRow(row, requests, record));
    rows.set(row.fields.policy, (rows.get(row.fields.policy) ?? 0) + 1);
  }
  for (const r of summary.results) {
    const n = rows.get(r.policy) ?? 0;
    if (n !== r.completed + r.shed) {
      throw new InputError(
        requests,
        0,
        "",
        `has ${n} rows of policy '${r.policy}', but ${summaryPath} counts ` +
          `${r.completed + r.shed} (completed + shed): ${MIXED}`,
      );
    }
  }

  const timeseries = join(dir, summary.files.timeseries);
  await mustExist(timeseries);
  const values = new Float64Array(SAMPLE_FIELDS);
  for await (const row of readCsv(timeseries, TIMESERIES_CSV_COLUMNS)) {
    if (row.fields.scope !== "worker") continue;
    const s = seriesOf(timeseries, row.line, row.fields.policy);
    const worker = csvNumber(row, timeseries, "worker");
    if (!(Number.isInteger(worker) && worker >= 0 && worker < roles.length)) {
      throw new InputError(
        timeseries,
        row.line,
        "worker",
        `must be a worker id in [0, ${roles.length}), got ${worker}`,
      );
    }
    values[0] = csvNumber(row, timeseries, "queued");
    values[1] = csvNumber(row, timeseries, "running");
    values[2] = csvNumber(row, timeseries, "queued_prefill_tokens");
    values[3] = csvNumber(row, timeseries, "kv_used_tokens");
    values[4] = csvNumber(row, timeseries, "kv_capacity_tokens");
    builder.addWorkerSample(s, csvNumber(row, timeseries, "time_ms"), worker, values);
  }

  const migrations = join(dir, summary.files.migrations);
  await mustExist(migrations);
  for await (const row of readCsv(migrations, MIGRATION_CSV_COLUMNS)) {
    const s = seriesOf(migrations, row.line, row.fields.policy);
    builder.addMigration(s, csvNumber(row, migrations, "decided_ms"));
  }
  // Rows that parse may still come from another run: the sizes tell.
  await checkSizes(dir, summary, summaryPath);
  return { label, summary };
}

/**
 * Rebuilds `plots/*.svg` and `report.html` in `outDir` from one or several export
 * directories (overlaid, each series named `label · policy`). Returns the paths written.
 *
 * @param dirs Export directories (each with `summary.json` and its CSV files).
 * @param labels One label per directory.
 * @param outDir Where to write (may be the single input directory).
 * @param onRuns Called with the runs read, before anything is written (e.g. to say
 *   what differs between them, see `runDifferences`).
 * @throws {InputError} On missing or malformed input files.
 * @throws {RangeError} When `labels` and `dirs` differ in length or labels repeat.
 */
export async function rebuildReport(
  dirs: readonly string[],
  labels: readonly string[],
  outDir: string,
  onRuns?: (runs: readonly ReportRun[]) => void,
): Promise<string[]> {
  if (dirs.length === 0 || labels.length !== dirs.length) {
    throw new RangeError(
      `Cannot rebuild a report: expected one label per directory, got ${labels.length} ` +
        `labels for ${dirs.length} directories`,
    );
  }
  if (new Set(labels).size !== labels.length) {
    throw new RangeError(`Cannot rebuild a report: labels must differ, got ${labels.join(", ")}`);
  }
  const builder = new ReportBuilder(1000);
  const runs: ReportRun[] = [];
  for (let i = 0; i < dirs.length; i++) runs.push(await loadRun(dirs[i], labels[i], builder));
  onRuns?.(runs);
  const title = `pdrouter report · ${labels.join(" vs ")}`;
  return await writeReport(outDir, title, runs, builder.build());
}

/**
 * Recomputes per-policy summaries from a `requests.csv` with the same
 * {@linkcode Recorder} the simulator uses. Migrations are the sum of the `migrations`
 * column.
 *
 * @example
 * ```ts
 * import { summarizeRequestsCsv } from "./load_run.ts";
 * import { CsvFileWriter } from "../metrics/csv.ts";
 * import { REQUEST_CSV_COLUMNS } from "../metrics/request_csv.ts";
 * const path = Deno.makeTempFileSync({ suffix: ".csv" });
 * const w = new CsvFileWriter(path, REQUEST_CSV_COLUMNS);
 * w.write(["rr", 1, 0, 0, 1, 100, 5, 0, 40, 10, 80, 0, ""]);
 * w.close();
 * const [s] = await summarizeRequestsCsv(path, { ttftMs: 50, tpotMs: 20 });
 * if (s.policy !== "rr" || s.ttftMs.mean !== 40 || s.sloAttainment !== 1) throw new Error("bad");
 * Deno.removeSync(path);
 * ```
 * @throws {InputError} On malformed rows.
 */
export async function summarizeRequestsCsv(path: string, slo: Slo): Promise<RunSummary[]> {
  const recorders = new Map<string, { recorder: Recorder; migrations: number }>();
  const record = createRequestRecord();
  for await (const row of readCsv(path, REQUEST_CSV_COLUMNS)) {
    const policy = row.fields.policy;
    let entry = recorders.get(policy);
    if (!entry) {
      entry = { recorder: new Recorder(slo), migrations: 0 };
      recorders.set(policy, entry);
    }
    parseRequestCsvRow(row, path, record);
    entry.recorder.add(record);
    entry.migrations += record.migrations;
  }
  return [...recorders].map(([policy, e]) => e.recorder.summary(policy, e.migrations));
}

const MIXED = "the folder mixes files of two runs (an interrupted or concurrent export?); " +
  "export the run again";

/** Refuses a folder whose CSV files do not have the sizes its `summary.json` records. */
async function checkSizes(dir: string, summary: RunSummaryFile, summaryPath: string) {
  if (!summary.bytes) return; // an export of an older version
  for (const role of ["requests", "timeseries", "migrations"] as const) {
    const path = join(dir, summary.files[role]);
    await mustExist(path);
    const size = (await Deno.stat(path)).size;
    if (size !== summary.bytes[role]) {
      throw new InputError(
        path,
        0,
        "",
        `holds ${size} bytes, but ${summaryPath} records ${summary.bytes[role]}: ${MIXED}`,
      );
    }
  }
}

/** `summary.json` is written last: without it, the folder holds an unfinished run. */
async function mustHaveSummary(dir: string, summaryPath: string): Promise<void> {
  try {
    await Deno.stat(summaryPath);
    return;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory)) throw e;
  }
  let partial = false;
  try {
    for await (const e of Deno.readDir(dir)) partial ||= e.name === RUN_FILES.requests;
  } catch { /* not a folder: reported below */ }
  throw new InputError(
    summaryPath,
    0,
    "",
    partial
      ? "does not exist: the folder holds an unfinished export (the run was interrupted)"
      : "does not exist (is this an export directory of `sim --out`?)",
  );
}

async function mustExist(path: string): Promise<void> {
  try {
    await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
      throw new InputError(
        path,
        0,
        "",
        "does not exist (is this an export directory of `sim --out`?)",
      );
    }
    throw e;
  }
}
