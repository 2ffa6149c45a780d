/**
 * Renders the plots of a report to `plots/*.svg` and writes `report.html` beside them.
 *
 * @module
 */

import { join } from "node:path";
import { plotSpecs } from "./plot_specs.ts";
import type { ReportData } from "./report_data.ts";
import { type RenderedPlot, reportHtml, type ReportRun } from "./report_html.ts";
import { renameSvgIds, renderSvg } from "./render_svg.ts";

/** Name of the report page in an output directory. */
export const REPORT_FILE = "report.html";

/** Directory of the plots in an output directory. */
export const PLOTS_DIR = "plots";

/**
 * Renders every plot of `data` to `dir/plots/<id>.svg` and writes `dir/report.html`.
 * Returns the paths written.
 *
 * @param dir Output directory (created when missing).
 * @param title Page title.
 * @param runs The runs shown (their summaries feed the table and the SLO lines).
 * @param data Plot data.
 */
export async function writeReport(
  dir: string,
  title: string,
  runs: readonly ReportRun[],
  data: ReportData,
): Promise<string[]> {
  const plotsDir = join(dir, PLOTS_DIR);
  await Deno.mkdir(plotsDir, { recursive: true });
  const slo = {
    ttftMs: runs.map((r) => r.summary.slo.ttftMs),
    tpotMs: runs.map((r) => r.summary.slo.tpotMs),
  };
  const written: string[] = [];
  const rendered: RenderedPlot[] = [];
  for (const p of plotSpecs(data, slo)) {
    const svg = await renderSvg(p.spec);
    const path = join(plotsDir, `${p.id}.svg`);
    await Deno.writeTextFile(path, svg);
    written.push(path);
    rendered.push({ ...p, svg: renameSvgIds(svg, `${p.id}-`) });
  }
  const page = join(dir, REPORT_FILE);
  await Deno.writeTextFile(page, reportHtml(title, runs, rendered));
  written.push(page);
  return written;
}
