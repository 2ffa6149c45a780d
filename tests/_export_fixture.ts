/**
 * A small simulated run exported to a temporary directory, shared by the export tests.
 *
 * @module
 */

import { exportHooks } from "../src/cli/flags/export.ts";
import { RunExporter } from "../src/report/run_exporter.ts";
import {
  comparePolicies,
  type ComparisonConfig,
  type ComparisonReport,
  DEFAULT_SCENARIO,
} from "../src/sim/compare.ts";

/**
 * A decode-heavy scenario that migrates (telemetry moves decodes off hot workers) and
 * runs in well under a second.
 */
export const FIXTURE_CONFIG: ComparisonConfig = {
  ...DEFAULT_SCENARIO,
  workload: "skewed",
  requests: 1500,
  ratePerS: 60,
  // A low margin so that telemetry migrates in this short run (the plots show it).
  policyConfig: { telemetry: { migrationMargin: 0.05 } },
};

/** A run exported to `dir`, with the comparison's own report. */
export interface ExportedRun {
  /** The export directory. */
  dir: string;
  /** What `comparePolicies` returned. */
  report: ComparisonReport;
  /** Files the exporter says it wrote. */
  files: string[];
}

/** Simulates `config` and exports it to a new temporary directory. */
export async function exportRun(
  config: ComparisonConfig = FIXTURE_CONFIG,
  options: { threaded?: boolean; sampleMs?: number; dir?: string } = {},
): Promise<ExportedRun> {
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: "pdrouter-export-" });
  const sampleMs = options.sampleMs ?? 250;
  const exporter = new RunExporter({ dir, sampleMs, threaded: options.threaded });
  try {
    const report = await comparePolicies(config, exportHooks(exporter, sampleMs));
    const files = await exporter.finish({
      config: { ...config },
      results: report.results,
      slo: { ttftMs: config.sloTtftMs, tpotMs: config.sloTpotMs },
      versions: { pdrouter: "test" },
    });
    return { dir, report, files };
  } finally {
    exporter.close();
  }
}
