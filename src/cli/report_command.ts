/**
 * `deno task report`: rebuild the plots and `report.html` of earlier `sim --out` runs
 * from their CSV and JSON files, alone or overlaid.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { Command } from "npm:commander@15.1.0";
import { UsageError } from "../core/errors.ts";
import { rebuildReport } from "../report/load_run.ts";
import { runLabel } from "../report/run_writer.ts";
import { differenceLines, runDifferences } from "../report/run_diff.ts";
import { nameList } from "./flags/values.ts";
import { runCommand, writeText } from "./run_command.ts";
import { outputDirProblem, userPath } from "./user_path.ts";

/** The `report` command's flags and help. */
export function buildReportCommand(): Command {
  return new Command("report")
    .description(
      "Rebuild plots/*.svg and report.html from the requests.csv, timeseries.csv, " +
        "migrations.csv and summary.json that `deno task sim --out DIR` wrote. With several " +
        "directories, overlay their runs in one report (series named 'label · policy').",
    )
    .argument("<dirs...>", "export directories of earlier runs")
    .option(
      "--labels <names>",
      "comma-separated label per directory (default: the directory names)",
      nameList,
    )
    .option(
      "--out <dir>",
      "where to write (default: the directory itself for one run; " +
        "<parent of the first>/overlay-<labels> for several)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  deno task report out/run1                        # rebuild out/run1/report.html\n" +
        "  deno task sim --out out/a --seed 1 && deno task sim --out out/b --seed 2\n" +
        "  deno task report out/a out/b --labels seed1,seed2  # writes out/overlay-seed1-seed2/",
    );
}

/** Runs the `report` command on `args`; returns the exit code. */
export function runReportCommand(args: readonly string[]): Promise<number> {
  return runCommand(buildReportCommand, async (opts, given) => {
    const dirs = given.map(userPath);
    const labels = (opts.labels as string[] | undefined) ?? dirs.map(runLabel);
    if (labels.length !== dirs.length) {
      throw new UsageError(
        "--labels",
        `expected ${dirs.length} labels (one per directory), got ${labels.length}`,
      );
    }
    if (new Set(labels).size !== labels.length) {
      throw new UsageError(
        dirs.length > 1 && !opts.labels ? "" : "--labels",
        `labels must differ, got ${labels.join(", ")}` +
          (opts.labels ? "" : "; give distinct ones with --labels"),
      );
    }
    const out = opts.out !== undefined
      ? userPath(String(opts.out))
      : (dirs.length === 1
        ? dirs[0]
        : join(dirname(dirs[0]), `overlay-${labels.map(safeName).join("-")}`));
    const problem = outputDirProblem(out);
    if (problem) throw new UsageError("--out", problem);
    const files = await rebuildReport(dirs, labels, out, (runs) => {
      const lines = differenceLines(runDifferences(runs));
      if (lines.length === 0) return;
      writeText(
        Deno.stderr,
        `note: the runs differ in ${lines.length} ${
          lines.length === 1 ? "setting" : "settings"
        } (the report lists them too):\n${lines.map((l) => `  ${l}\n`).join("")}`,
      );
    });
    writeText(
      Deno.stdout,
      `wrote ${files.length} files; open ${files.find((f) => basename(f) === "report.html")}\n`,
    );
  }, args);
}

function safeName(label: string): string {
  return label.replace(/[^A-Za-z0-9_.-]+/g, "_");
}
