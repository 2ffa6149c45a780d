/**
 * Replaying published measurements through the execution model: the shapes of the
 * recorded measurements (`testdata/calibration/*.json`, sources in its SOURCES.md) and
 * the functions that time them with the model. The calibration tests hold each row
 * within 15%; `deno task calibration` prints the table in the docs.
 *
 * @module
 */

import type { ExecutionModel } from "./execution_model.ts";
import type { LinkSpec } from "./model.ts";

/** One measurement beside what the model gives for it. */
export interface CalibrationRow {
  /** Source id (a heading of `testdata/calibration/SOURCES.md`). */
  readonly source: string;
  /** Where exactly: file or URL, and the row. */
  readonly where: string;
  /** What was measured, in words. */
  readonly what: string;
  /** Unit of `measured` and `model`. */
  readonly unit: string;
  /** The published figure. */
  readonly measured: number;
  /** The model's figure. */
  readonly model: number;
}

/** `row.model ÷ row.measured − 1`, e.g. `0.05` for 5% slow. */
export function calibrationError(row: CalibrationRow): number {
  return row.model / row.measured - 1;
}

/**
 * End-to-end time of a static batch as vLLM's V0 engine runs it (`llm.generate` of
 * `batch` prompts of `inputTokens` tokens, `outputTokens` each, EOS ignored), ms:
 * prefill first, whole prompts packed into steps of at most `prefillBudgetTokens`
 * (vLLM V0 without chunked prefill: `max_num_batched_tokens` = max(max_model_len,
 * 2048)), the first output token from the prefill; then `outputTokens − 1` decode steps
 * of the whole batch, each reading every sequence's context so far.
 *
 * @example
 * ```ts
 * import { staticBatchMs } from "./calibration.ts";
 * import { createExecutionModel } from "./execution_model.ts";
 * import { LLAMA3_8B_H100 } from "./presets.ts";
 * const m = createExecutionModel(LLAMA3_8B_H100);
 * const small = staticBatchMs(m, 128, 128, 1, 8192);
 * if (!(staticBatchMs(m, 128, 128, 64, 8192) > small)) throw new Error("a bigger batch takes longer");
 * ```
 */
export function staticBatchMs(
  m: ExecutionModel,
  inputTokens: number,
  outputTokens: number,
  batch: number,
  prefillBudgetTokens: number,
): number {
  const perStep = Math.max(1, Math.floor(prefillBudgetTokens / inputTokens));
  let ms = 0;
  for (let left = batch; left > 0;) {
    const k = Math.min(perStep, left);
    left -= k;
    const attn = k * m.prefillAttentionMs(inputTokens, 0);
    ms += m.stepMs(k * inputTokens, attn, true, k);
  }
  for (let i = 1; i < outputTokens; i++) ms += m.decodeStepMs(batch, batch * (inputTokens + i));
  return ms;
}

/**
 * One transfer over `link` of `bytes` in `descriptors` descriptors (one rank's share),
 * ms: `setup + notify + perBlock · descriptors + bytes ÷ bandwidth`, the formula of
 * `kvTransferMs`.
 */
export function linkTransferMs(link: LinkSpec, bytes: number, descriptors: number): number {
  return link.setupMs + link.notifyMs + descriptors * link.perBlockMs +
    bytes / link.bytesPerS * 1000;
}

/** A recorded set of static-batch measurements (`argonne_vllm_static_batches.json`). */
export interface StaticBatchData {
  /** Source id. */
  readonly source: string;
  /** Prefill step budget of the measured engine, tokens. */
  readonly prefillBudgetTokens: number;
  /** Measurement sets, one per preset and source file. */
  readonly sets: readonly {
    /** The preset that times the set. */
    readonly preset: string;
    /** The measured model. */
    readonly model: string;
    /** The source file, in its repository. */
    readonly file: string;
    /** The source file's URL. */
    readonly url: string;
    /** `[inputTokens, outputTokens, batch, latencySeconds]` rows. */
    readonly points: readonly (readonly [number, number, number, number])[];
  }[];
}

/**
 * The static-batch measurements beside the model, one row per point.
 *
 * @throws {RangeError} When a set names a preset `modelFor` does not know.
 */
export function staticBatchRows(
  data: StaticBatchData,
  modelFor: (preset: string) => ExecutionModel,
): CalibrationRow[] {
  const rows: CalibrationRow[] = [];
  for (const set of data.sets) {
    const m = modelFor(set.preset);
    for (const [input, output, batch, seconds] of set.points) {
      rows.push({
        source: data.source,
        where: `${set.url} (${set.model}, input ${input}, output ${output}, batch ${batch})`,
        what: `${set.preset}: batch ${batch} × ${input} in / ${output} out`,
        unit: "s",
        measured: seconds,
        model: staticBatchMs(m, input, output, batch, data.prefillBudgetTokens) / 1000,
      });
    }
  }
  return rows;
}

/** Recorded connector transfers (`vllm_nixl_transfers.json`). */
export interface TransferData {
  /** Source id. */
  readonly source: string;
  /** The source's URL. */
  readonly url: string;
  /** Average transfers. */
  readonly transfers: readonly {
    /** Which figure of the source. */
    readonly label: string;
    /** Bytes per transfer (one rank's). */
    readonly bytes: number;
    /** Descriptors per transfer. */
    readonly descriptors: number;
    /** Transfer duration, ms. */
    readonly transferMs: number;
  }[];
  /** The cost of `ratio`× the descriptors of the same pull (block size 16 against 64). */
  readonly blockSizeDelta: {
    /** Which figure of the source. */
    readonly label: string;
    /** The source's URL. */
    readonly url: string;
    /** Descriptors of the pull at block size 64. */
    readonly descriptors64: number;
    /** How many times the descriptors the smaller block size makes. */
    readonly ratio: number;
    /** The extra transfer time, ms. */
    readonly deltaMs: number;
  };
}

/** The connector measurements beside `link`, one row each. */
export function transferRows(data: TransferData, link: LinkSpec): CalibrationRow[] {
  const rows: CalibrationRow[] = data.transfers.map((t) => ({
    source: data.source,
    where: `${data.url} (${t.label})`,
    what: `NIXL pull of ${t.bytes / 1e6} MB in ${t.descriptors} descriptors`,
    unit: "ms",
    measured: t.transferMs,
    model: linkTransferMs(link, t.bytes, t.descriptors),
  }));
  const d = data.blockSizeDelta;
  const more = d.descriptors64 * d.ratio;
  rows.push({
    source: data.source,
    where: `${d.url} (${d.label})`,
    what: `extra time of ${d.ratio}× the descriptors (${d.descriptors64} → ${more})`,
    unit: "ms",
    measured: d.deltaMs,
    model: linkTransferMs(link, 0, more) - linkTransferMs(link, 0, d.descriptors64),
  });
  return rows;
}
