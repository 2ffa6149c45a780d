/**
 * `deno task bench compare A B`: every figure two bench runs share, B ÷ A, and the
 * settings in which the two runs differ.
 *
 * @module
 */

import type { BenchSummary } from "./bench_report.ts";
import { fixed, formatTable } from "./table.ts";

function num(x: number): string {
  if (!Number.isFinite(x)) return "-";
  const a = Math.abs(x);
  return a >= 100 ? fixed(x, 0) : a >= 10 ? fixed(x, 1) : fixed(x, 2);
}

/** What `compare` reads of a summary besides its figures (all optional). */
type Comparable =
  & Pick<BenchSummary, "figures">
  & Partial<Pick<BenchSummary, "profile" | "args" | "runtime" | "cpu" | "targets">>;

/**
 * The settings in which two bench runs differ (profile, command line, runtime, CPU,
 * targets), one line each: a ratio of figures measured under different settings is
 * not like for like.
 */
export function summaryDifferences(a: Comparable, b: Comparable): string[] {
  const fields: [string, (s: Comparable) => string | undefined][] = [
    ["profile", (s) => s.profile],
    ["command", (s) => s.args && ["deno task bench", ...s.args].join(" ")],
    ["runtime", (s) => s.runtime],
    ["cpu", (s) => s.cpu || undefined],
    ["targets", (s) => s.targets?.map((t) => t.target).join(", ")],
  ];
  const out: string[] = [];
  for (const [what, get] of fields) {
    const x = get(a), y = get(b);
    if (x !== undefined && y !== undefined && x !== y) out.push(`${what}: A ${x} · B ${y}`);
  }
  return out;
}

/**
 * The table `deno task bench compare A B` prints: every figure present in both
 * runs, with B ÷ A and whether B is better or worse (within ±2% is "same"), then what
 * differs between the two runs' settings.
 *
 * @example
 * ```ts
 * import { compareSummaries } from "./bench_compare.ts";
 * const f = (value: number) => ({
 *   name: "x", value, unit: "ns", better: "lower" as const, stage: "hot-path",
 * });
 * const text = compareSummaries({ figures: [f(100)] }, { figures: [f(50)] });
 * if (!text.includes("0.50×") || !text.includes("better")) throw new Error(text);
 * ```
 */
export function compareSummaries(a: Comparable, b: Comparable): string {
  const rows: string[][] = [];
  for (const fb of b.figures) {
    const fa = a.figures.find((f) => f.name === fb.name);
    if (!fa) continue;
    const ratio = fb.value / fa.value;
    let verdict = "-";
    if (Number.isFinite(ratio)) {
      const gain = fb.better === "lower" ? 1 / ratio : ratio;
      verdict = gain > 1.02 ? "better" : gain < 1 / 1.02 ? "worse" : "same";
    }
    rows.push([
      fb.name,
      fb.unit,
      num(fa.value),
      num(fb.value),
      Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : "-",
      verdict,
    ]);
  }
  const onlyA = a.figures.filter((f) => !b.figures.some((g) => g.name === f.name)).length;
  const onlyB = b.figures.filter((f) => !a.figures.some((g) => g.name === f.name)).length;
  let note = onlyA + onlyB > 0
    ? `\n${onlyA} figure(s) only in A, ${onlyB} only in B (not compared).`
    : "";
  if (a.profile && b.profile && a.profile !== b.profile) {
    note += `\nA ran profile '${a.profile}', B '${b.profile}': request counts differ, so ` +
      "simulation speeds and latencies are not like for like.";
  }
  const differ = summaryDifferences(a, b).filter((l) => !l.startsWith("profile:"));
  if (differ.length > 0) {
    note += `\nA and B differ in ${differ.length} ${differ.length === 1 ? "setting" : "settings"}` +
      ` (figures measured under each are not like for like):\n${
        differ.map((l) => `  ${l}`).join("\n")
      }`;
  }
  return formatTable(["figure", "unit", "A", "B", "B/A", "B is"], rows) + note + "\n";
}
