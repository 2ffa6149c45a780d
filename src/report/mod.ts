/**
 * Plots (Vega, to SVG) and the self-contained HTML report, and the writers that export a run
 * (CSV, summary.json, plots, report.html).
 *
 * @module
 */

export * from "./load_run.ts";
export * from "./plot_specs.ts";
export * from "./render_svg.ts";
export * from "./report_data.ts";
export * from "./report_html.ts";
export * from "./run_exporter.ts";
export * from "./run_diff.ts";
export * from "./run_writer.ts";
export * from "./staged_dir.ts";
export * from "./write_report.ts";
