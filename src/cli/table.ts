/**
 * Plain-text tables for terminal output.
 *
 * @module
 */

/**
 * Formats rows as an aligned table: the first column left-aligned, the rest right.
 *
 * @example
 * ```ts
 * import { formatTable } from "./table.ts";
 * const text = formatTable(["name", "n"], [["a", "1"], ["bb", "22"]]);
 * if (!text.includes("bb    22")) throw new Error(text);
 * ```
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

/** A number with `digits` decimals, or `-` when not finite. */
export function fixed(x: number, digits = 0): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "-";
}
