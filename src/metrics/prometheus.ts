/**
 * Prometheus text exposition (format 0.0.4): a small writer for the live path's
 * `/metrics` (the emulator's, the proxy's) and a parser for reading engines' `/metrics`
 * back (the proxy's scraper, tests).
 *
 * Written here rather than with `prom-client`: the emulator's figures are in model time
 * and change only when its clock says so, so a global registry of live metric objects
 * buys nothing; a writer that formats a snapshot is a page of code, loads no package, and
 * its output is exactly what the tests parse. The parser accepts what Prometheus' text
 * format allows (comments, labels with escapes, `+Inf`/`-Inf`/`NaN`, optional
 * timestamps) and names the line it cannot read.
 *
 * @module
 */

/** Label name → value. */
export type PromLabels = Readonly<Record<string, string>>;

/** One sample line: a metric name, its labels and value. */
export interface PromSample {
  /** The sample's name as written (with `_total`, `_bucket`, … suffixes). */
  readonly name: string;
  /** Its labels. */
  readonly labels: PromLabels;
  /** Its value. */
  readonly value: number;
}

/** A number as Prometheus (and Python's client) writes it: `1.0`, `0.25`, `+Inf`. */
export function formatPromValue(x: number): string {
  if (x === Infinity) return "+Inf";
  if (x === -Infinity) return "-Inf";
  if (Number.isNaN(x)) return "NaN";
  return Number.isInteger(x) && Math.abs(x) < 1e15 ? `${x}.0` : String(x);
}

function escapeLabel(v: string): string {
  return v.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
}

/** `{a="1",b="x"}` (empty string for no labels), values escaped. */
export function formatPromLabels(labels: PromLabels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return "";
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k])}"`).join(",")}}`;
}

/**
 * Builds an exposition text family by family.
 *
 * @example
 * ```ts
 * import { PromWriter } from "./prometheus.ts";
 * const w = new PromWriter();
 * w.family("vllm:num_requests_running", "gauge", "Running requests.");
 * w.sample("vllm:num_requests_running", { engine: "0" }, 3);
 * if (!w.text().includes('vllm:num_requests_running{engine="0"} 3.0')) throw new Error(w.text());
 * ```
 */
export class PromWriter {
  readonly #lines: string[] = [];

  /** Starts a family: its `# HELP` and `# TYPE` lines. */
  family(name: string, type: "counter" | "gauge" | "histogram", help: string): void {
    this.#lines.push(`# HELP ${name} ${help.replaceAll("\\", "\\\\").replaceAll("\n", "\\n")}`);
    this.#lines.push(`# TYPE ${name} ${type}`);
  }

  /** One sample line. */
  sample(name: string, labels: PromLabels, value: number): void {
    this.#lines.push(`${name}${formatPromLabels(labels)} ${formatPromValue(value)}`);
  }

  /**
   * A histogram's samples: cumulative `_bucket` lines (with `le`), `_count` and `_sum`.
   *
   * @param bounds Bucket upper bounds, ascending (without `+Inf`).
   * @param counts Observations per bucket: `bounds.length + 1` entries, the last for
   *   values above every bound.
   */
  histogram(
    name: string,
    labels: PromLabels,
    bounds: readonly number[],
    counts: ArrayLike<number>,
    sum: number,
  ): void {
    let cum = 0;
    for (let i = 0; i <= bounds.length; i++) {
      cum += counts[i];
      const le = i < bounds.length ? formatPromValue(bounds[i]) : "+Inf";
      this.sample(`${name}_bucket`, { ...labels, le }, cum);
    }
    this.sample(`${name}_count`, labels, cum);
    this.sample(`${name}_sum`, labels, sum);
  }

  /** The text so far, newline-terminated. */
  text(): string {
    return this.#lines.length === 0 ? "" : this.#lines.join("\n") + "\n";
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseValue(s: string, lineNo: number): number {
  if (s === "+Inf" || s === "Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  if (s === "NaN") return NaN;
  const x = Number(s);
  if (s === "" || Number.isNaN(x)) {
    throw new SyntaxError(`Cannot parse metrics: line ${lineNo}: expected a number, got '${s}'`);
  }
  return x;
}

/**
 * The samples of a Prometheus text exposition, in order (comments and blank lines
 * skipped).
 *
 * @example
 * ```ts
 * import { parsePrometheusText } from "./prometheus.ts";
 * const [s] = parsePrometheusText('# TYPE x counter\nx_total{a="q\\""} 2\n');
 * if (s.name !== "x_total" || s.labels.a !== 'q"' || s.value !== 2) throw new Error("parse");
 * ```
 * @throws {SyntaxError} Naming the line that is not a sample.
 */
export function parsePrometheusText(text: string): PromSample[] {
  const out: PromSample[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#")) continue;
    const lineNo = i + 1;
    const bad = (what: string) =>
      new SyntaxError(`Cannot parse metrics: line ${lineNo}: ${what}, got '${lines[i]}'`);
    const m = NAME.exec(line);
    if (!m) throw bad("expected a metric name");
    const name = m[0];
    let rest = line.slice(name.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith("{")) {
      rest = rest.slice(1);
      for (;;) {
        rest = rest.trimStart();
        if (rest.startsWith("}")) {
          rest = rest.slice(1);
          break;
        }
        const ln = LABEL_NAME.exec(rest);
        if (!ln) throw bad("expected a label name");
        rest = rest.slice(ln[0].length).trimStart();
        if (!rest.startsWith('="') && !rest.startsWith("=")) {
          throw bad("expected '=' after a label");
        }
        rest = rest.slice(1).trimStart();
        if (!rest.startsWith('"')) throw bad("expected a quoted label value");
        let j = 1, value = "";
        for (; j < rest.length && rest[j] !== '"'; j++) {
          if (rest[j] === "\\" && j + 1 < rest.length) {
            const c = rest[++j];
            value += c === "n" ? "\n" : c;
          } else value += rest[j];
        }
        if (j >= rest.length) throw bad("expected a closing quote");
        labels[ln[0]] = value;
        rest = rest.slice(j + 1).trimStart();
        if (rest.startsWith(",")) rest = rest.slice(1);
        else if (!rest.startsWith("}")) throw bad("expected ',' or '}' after a label");
      }
    }
    const parts = rest.trim().split(/\s+/);
    if (parts.length < 1 || parts.length > 2 || parts[0] === "") throw bad("expected a value");
    out.push({ name, labels, value: parseValue(parts[0], lineNo) });
  }
  return out;
}

/**
 * The value of the one sample named `name` whose labels include `labels`, or `undefined`.
 *
 * @throws {Error} When more than one sample matches.
 */
export function promValue(
  samples: readonly PromSample[],
  name: string,
  labels: PromLabels = {},
): number | undefined {
  let found: number | undefined;
  let n = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    if (!Object.entries(labels).every(([k, v]) => s.labels[k] === v)) continue;
    found = s.value;
    n++;
  }
  if (n > 1) throw new Error(`Cannot pick a metric: ${n} samples of '${name}' match`);
  return found;
}
