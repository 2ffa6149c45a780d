/**
 * Replaying a published serving benchmark through the simulator: a burst of requests
 * with recorded prompt and output lengths sent at once to one engine (vLLM's
 * `benchmark_serving.py` at request rate `inf`), timed end to end. The calibration
 * test holds the simulated duration within 15% of the measured one;
 * `deno task calibration` prints it in the docs.
 *
 * @module
 */

import type { InferenceRequest, RequestSource } from "../core/types.ts";
import type { CalibrationRow } from "../model/calibration.ts";
import { frontEndMs, type ModelPreset } from "../model/model.ts";
import { modelPreset } from "../model/presets.ts";
import { createPolicy } from "../policy/registry.ts";
import { simulate } from "./simulator.ts";

/** A recorded burst benchmark (`lambda_vllm_sharegpt_burst.json`). */
export interface BurstData {
  /** Source id. */
  readonly source: string;
  /** The engine's `--max-num-seqs`. */
  readonly maxNumSeqs: number;
  /** The engine's `--max-model-len` (its step token budget without chunked prefill). */
  readonly maxModelLen: number;
  /** Prompt tokens of every request (the same prompts in every run). */
  readonly inputLens: readonly number[];
  /** One run per GPU. */
  readonly runs: readonly {
    /** The preset that times the run. */
    readonly preset: string;
    /** The source file's URL. */
    readonly url: string;
    /** Benchmark duration: first request sent → last response, seconds. */
    readonly durationS: number;
    /** The first request's time to first token, seconds (absent when not used). */
    readonly firstTtftS?: number;
    /** Output tokens of every request (0: the request produced none, not replayed). */
    readonly outputLens: readonly number[];
  }[];
}

/** All requests at time 0, in one batch. */
class BurstSource implements RequestSource {
  readonly name = "burst";
  readonly blockTokens = 16;
  #done = false;
  constructor(readonly requests: readonly InferenceRequest[]) {}
  next(): readonly InferenceRequest[] {
    if (this.#done) return [];
    this.#done = true;
    return this.requests;
  }
}

/**
 * Simulated duration of a burst of requests (prompt `inputLens[i]`, output
 * `outputLens[i]`; requests with no output are left out) on one colocated worker of
 * `preset`, all sent at time 0, ms.
 *
 * @example
 * ```ts
 * import { burstDurationMs } from "./calibration.ts";
 * import { LLAMA3_8B_H100 } from "../model/presets.ts";
 * const ms = await burstDurationMs(LLAMA3_8B_H100, [100, 200], [10, 20]);
 * if (!(ms > 0)) throw new Error("a burst takes time");
 * ```
 */
export async function burstDurationMs(
  preset: ModelPreset,
  inputLens: readonly number[],
  outputLens: readonly number[],
): Promise<number> {
  const requests: InferenceRequest[] = [];
  for (let i = 0; i < inputLens.length; i++) {
    if (outputLens[i] <= 0) continue;
    requests.push({
      id: i,
      arrivalMs: 0,
      promptTokens: inputLens[i],
      outputTokens: outputLens[i],
      maxTokens: outputLens[i],
      blocks: new Uint32Array(0),
      priority: 0,
      sessionId: i,
    });
  }
  const policy = createPolicy("round-robin", {}, {
    random: () => 0,
    sloTtftMs: 1e9,
    sloTpotMs: 1e9,
    prefillMsPerToken: 0.03,
  });
  const result = await simulate({
    model: preset,
    prefillWorkers: 0,
    decodeWorkers: 0,
    colocatedWorkers: 1,
    policy,
    workload: new BurstSource(requests),
    slo: { ttftMs: 1e9, tpotMs: 1e9 },
  });
  return result.endMs;
}

/**
 * The burst measurements beside the simulator: per run, the benchmark duration, and
 * (where recorded) the engine's front end for the whole burst against the first
 * request's time to first token (the V0 engine took its first step only once every
 * request of the burst was tokenised).
 *
 * @throws {RangeError} When a run names an unknown preset.
 */
export async function burstRows(data: BurstData): Promise<CalibrationRow[]> {
  const rows: CalibrationRow[] = [];
  for (const run of data.runs) {
    // The benchmarked engine's limits: max-num-seqs, and a step budget of max-model-len
    // (vLLM V0 without chunked prefill).
    const preset = {
      ...modelPreset(run.preset),
      maxNumSeqs: data.maxNumSeqs,
      maxBatchedTokens: data.maxModelLen,
    };
    const ms = await burstDurationMs(preset, data.inputLens, run.outputLens);
    rows.push({
      source: data.source,
      where: run.url,
      what: `${run.preset}: ${data.inputLens.length} ShareGPT requests at once, duration`,
      unit: "s",
      measured: run.durationS,
      model: ms / 1000,
    });
    if (run.firstTtftS !== undefined) {
      let frontMs = 0;
      for (const n of data.inputLens) frontMs += frontEndMs(preset, n);
      rows.push({
        source: data.source,
        where: `${run.url} (ttfts[0])`,
        what: `${run.preset}: front end of the burst vs first TTFT`,
        unit: "s",
        measured: run.firstTtftS,
        model: frontMs / 1000,
      });
    }
  }
  return rows;
}
