/**
 * A seeded generator of Mooncake-format traces with a chosen prefix-sharing ratio,
 * for scale tests and benchmarks (`deno task trace:gen`). Rows are produced one at a
 * time, so memory stays O(prefix groups), whatever the number of requests.
 *
 * Each request picks one of `prefixGroups` shared prefixes uniformly; the first
 * `prefixRatio × blocks` (rounded up or down at random, so that the mean is exact) of
 * its 512-token blocks are that group's chain of
 * block ids (grown on demand) and the rest are fresh ids never used again. With an
 * unbounded cache, the fraction of blocks that hit is close to `prefixRatio`.
 *
 * @module
 */

import { exponential, Rng } from "../core/rng.ts";
import { formatMooncakeRow, MOONCAKE_BLOCK_TOKENS, type MooncakeRow } from "./mooncake.ts";
import { drawLength, type LengthDist } from "./synthetic.ts";

/** What to generate. */
export interface TraceGenSpec {
  /** Requests (rows). */
  readonly requests: number;
  /** Mean arrival rate, requests/s (Poisson; timestamps rounded to whole ms). */
  readonly ratePerS: number;
  /** Seed of every draw. */
  readonly seed: number;
  /** Fraction of each prompt's blocks taken from a shared prefix, `[0, 1]`. */
  readonly prefixRatio: number;
  /** Distinct shared prefixes. */
  readonly prefixGroups: number;
  /** Prompt length distribution, tokens. */
  readonly prompt: LengthDist;
  /** Output length distribution, tokens. */
  readonly output: LengthDist;
}

/** Defaults of {@linkcode TraceGenSpec} (prompt and output lengths loosely like chat traffic). */
export const TRACE_GEN_DEFAULTS: TraceGenSpec = Object.freeze<TraceGenSpec>({
  requests: 1000,
  ratePerS: 10,
  seed: 1,
  prefixRatio: 0.5,
  prefixGroups: 64,
  prompt: { kind: "lognormal", median: 2048, sigma: 1.0, min: 16, max: 65_536 },
  output: { kind: "lognormal", median: 256, sigma: 0.8, min: 1, max: 4096 },
});

/**
 * Yields `spec.requests` Mooncake rows in arrival order. The same spec always yields
 * the same rows.
 *
 * @example
 * ```ts
 * import { generateMooncakeRows, TRACE_GEN_DEFAULTS } from "./trace_gen.ts";
 * const rows = [...generateMooncakeRows({ ...TRACE_GEN_DEFAULTS, requests: 5 })];
 * if (rows.length !== 5 || rows[0].timestamp !== 0) throw new Error("unexpected");
 * ```
 * @throws {RangeError} On a bad count, rate, ratio or group count.
 */
export function* generateMooncakeRows(spec: TraceGenSpec): Generator<MooncakeRow> {
  const bad = (name: string, what: string, got: unknown): never => {
    throw new RangeError(`Cannot generate trace: '${name}' must be ${what}, got ${got}`);
  };
  if (!Number.isInteger(spec.requests) || spec.requests < 0) {
    bad("requests", "an integer ≥ 0", spec.requests);
  }
  if (!(spec.ratePerS > 0 && Number.isFinite(spec.ratePerS))) {
    bad("ratePerS", "a positive number", spec.ratePerS);
  }
  if (!(spec.prefixRatio >= 0 && spec.prefixRatio <= 1)) {
    bad("prefixRatio", "in [0, 1]", spec.prefixRatio);
  }
  if (!Number.isInteger(spec.prefixGroups) || spec.prefixGroups < 1) {
    bad("prefixGroups", "a positive integer", spec.prefixGroups);
  }
  const rng = new Rng(spec.seed).source();
  const meanGapMs = 1000 / spec.ratePerS;
  const chains: number[][] = Array.from({ length: spec.prefixGroups }, () => []);
  let nextId = 0;
  let clockMs = 0;
  for (let i = 0; i < spec.requests; i++) {
    const input = drawLength(rng, spec.prompt);
    const output = Math.max(1, drawLength(rng, spec.output));
    const group = Math.floor(rng() * spec.prefixGroups);
    const n = Math.ceil(input / MOONCAKE_BLOCK_TOKENS);
    // Stochastic rounding: the expected shared share is exactly prefixRatio.
    const shared = Math.min(n, Math.floor(spec.prefixRatio * n + rng()));
    const chain = chains[group];
    while (chain.length < shared) chain.push(nextId++);
    const ids = new Array<number>(n);
    for (let k = 0; k < n; k++) ids[k] = k < shared ? chain[k] : nextId++;
    yield {
      timestamp: Math.round(clockMs),
      input_length: input,
      output_length: output,
      hash_ids: ids,
    };
    clockMs += exponential(rng, meanGapMs);
  }
}

/**
 * The rows of {@linkcode generateMooncakeRows} as JSONL lines (no line ends).
 *
 * @example
 * ```ts
 * import { generateMooncakeLines, TRACE_GEN_DEFAULTS } from "./trace_gen.ts";
 * const [first] = generateMooncakeLines({ ...TRACE_GEN_DEFAULTS, requests: 1 });
 * if (!first.startsWith('{"timestamp": 0,')) throw new Error(first);
 * ```
 */
export function* generateMooncakeLines(spec: TraceGenSpec): Generator<string> {
  for (const row of generateMooncakeRows(spec)) yield formatMooncakeRow(row);
}
