/**
 * `vllm serve`'s flags, as the engine emulator takes them (so that it can stand in for
 * the `vllm` executable), plus the emulator's own (`--preset`, `--metrics-names`,
 * `--request-log`). Flags of vLLM's that the emulator does not model are sorted out
 * before parsing (`splitServeArgv`) and reported with a warning.
 *
 * @module
 */

import { type Command, InvalidArgumentError, Option } from "npm:commander@15.1.0";
import { UsageError } from "../../core/errors.ts";
import { modelPresets } from "../../model/presets.ts";
import type { ModelPreset } from "../../model/model.ts";
import type { KvTransferConfig } from "../../engine/emulator/options.ts";
import type { MetricNames } from "../../engine/vllm/metric_names.ts";
import { VLLM_SERVE_FLAGS } from "../../engine/vllm/serve_args.ts";
import { oneOf, positiveInt } from "./values.ts";

/** The serve flags as parsed (undefined: the model's or vLLM's default). */
export interface ServeFlags {
  /** `--model` (vLLM's older spelling of `serve MODEL`). */
  readonly model: string | undefined;
  /** `--served-model-name`. */
  readonly servedModelName: string | undefined;
  /** `--tokenizer`. */
  readonly tokenizer: string | undefined;
  /** `--block-size`. */
  readonly blockSize: number;
  /** `--max-model-len`. */
  readonly maxModelLen: number | undefined;
  /** `--max-num-seqs`. */
  readonly maxNumSeqs: number | undefined;
  /** `--max-num-batched-tokens`. */
  readonly maxNumBatchedTokens: number | undefined;
  /** `--gpu-memory-utilization`. */
  readonly gpuMemoryUtilization: number | undefined;
  /** `--tensor-parallel-size`. */
  readonly tensorParallelSize: number | undefined;
  /** `--enable-prefix-caching` / `--no-enable-prefix-caching`. */
  readonly enablePrefixCaching: boolean;
  /** `--api-key`. */
  readonly apiKey: string | undefined;
  /** `--kv-transfer-config`. */
  readonly kvTransferConfig: KvTransferConfig | undefined;
  /** `--preset`. */
  readonly preset: ModelPreset;
  /** `--metrics-names`. */
  readonly metricsNames: MetricNames;
  /** `--request-log`. */
  readonly requestLog: string | undefined;
}

/** The emulator's own flags, besides vLLM's: flag → whether it takes a value. */
export const EMULATOR_FLAGS: Readonly<Record<string, boolean>> = {
  "--preset": true,
  "--metrics-names": true,
  "--request-log": true,
  "--time-scale": true,
  "--help": false,
};

function fraction(value: string): number {
  const x = Number(value);
  if (!(x > 0 && x <= 1)) {
    throw new InvalidArgumentError(`expected a number in (0, 1], got '${value}'`);
  }
  return x;
}

/** Adds the serve flags to `cmd` and returns it. */
export function addServeOptions(cmd: Command): Command {
  const presets = modelPresets().map((p) => p.name);
  return cmd
    .option("--model <name|dir>", "the model (vLLM's older form of 'serve MODEL')")
    .option("--served-model-name <name>", "the model name clients use (default: MODEL)")
    .option(
      "--tokenizer <name|dir>",
      "llama-3.1, llama-3, or a model directory (default: from MODEL)",
    )
    .option("--block-size <n>", "tokens per KV block", positiveInt, 16)
    .option("--max-model-len <n>", "longest prompt + output (default: the model's)", positiveInt)
    .option("--max-num-seqs <n>", "running sequences (default: the preset's)", positiveInt)
    .option("--max-num-batched-tokens <n>", "tokens per step (default: the preset's)", positiveInt)
    .option("--gpu-memory-utilization <f>", "fraction of GPU memory for the engine", fraction)
    .option(
      "--tensor-parallel-size <n>",
      "GPUs per engine (default: the preset's; the preset's timing is used either way)",
      positiveInt,
    )
    .option("--enable-prefix-caching", "cache prompt blocks (vLLM's default)")
    .option("--no-enable-prefix-caching", "no prefix cache")
    .option("--api-key <key>", "require 'Authorization: Bearer KEY' on /v1/* (or VLLM_API_KEY)")
    .option(
      "--kv-transfer-config <json>",
      'KV connector, e.g. \'{"kv_connector":"NixlConnector","kv_role":"kv_both"}\'; P/D needs one',
    )
    .addOption(
      new Option("--preset <name>", "timing preset").choices(presets).default(presets[0]),
    )
    .option(
      "--metrics-names <which>",
      "metric names on /metrics: new, old (deprecated aliases) or both",
      oneOf(["new", "old", "both"] as const),
      "new",
    )
    .option("--request-log <file>", "append one JSON line per request to FILE");
}

/**
 * The serve flags of parsed `opts` (from {@linkcode addServeOptions}), checked.
 *
 * @throws {UsageError} On a `--kv-transfer-config` that is not a JSON object, or a
 *   `kv_load_failure_policy` other than `fail` or `recompute`.
 */
export function serveFlagsFromOpts(opts: Record<string, unknown>): ServeFlags {
  let kv: KvTransferConfig | undefined;
  if (opts.kvTransferConfig !== undefined) {
    try {
      kv = JSON.parse(String(opts.kvTransferConfig));
    } catch {
      kv = undefined;
    }
    if (!kv || typeof kv !== "object" || Array.isArray(kv)) {
      throw new UsageError(
        "--kv-transfer-config",
        `expected a JSON object, got '${opts.kvTransferConfig}'`,
      );
    }
    const p = kv.kv_load_failure_policy;
    if (p !== undefined && p !== "fail" && p !== "recompute") {
      throw new UsageError(
        "--kv-transfer-config",
        `expected kv_load_failure_policy 'fail' or 'recompute', got '${p}'`,
      );
    }
  }
  const preset = modelPresets().find((p) => p.name === opts.preset)!;
  return {
    model: opts.model as string | undefined,
    servedModelName: opts.servedModelName as string | undefined,
    tokenizer: opts.tokenizer as string | undefined,
    blockSize: opts.blockSize as number,
    maxModelLen: opts.maxModelLen as number | undefined,
    maxNumSeqs: opts.maxNumSeqs as number | undefined,
    maxNumBatchedTokens: opts.maxNumBatchedTokens as number | undefined,
    gpuMemoryUtilization: opts.gpuMemoryUtilization as number | undefined,
    tensorParallelSize: opts.tensorParallelSize as number | undefined,
    enablePrefixCaching: opts.enablePrefixCaching !== false,
    apiKey: opts.apiKey as string | undefined,
    kvTransferConfig: kv,
    preset,
    metricsNames: opts.metricsNames as MetricNames,
    requestLog: opts.requestLog as string | undefined,
  };
}

/** Every flag the emulator parses: vLLM's it models and its own. */
export const KNOWN_EMULATE_FLAGS: Readonly<Record<string, boolean>> = {
  ...VLLM_SERVE_FLAGS,
  ...EMULATOR_FLAGS,
};
