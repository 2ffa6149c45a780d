/**
 * The emulator's settings: `vllm serve`'s (the model, block size, batch limits, memory
 * fraction, max model length, prefix caching, API key, KV connector) plus its own (timing
 * preset, time scale, metric names, request log), and how they resolve into an engine
 * (the execution model with vLLM's overrides, the KV capacity in blocks).
 *
 * @module
 */

import { createExecutionModel, type ExecutionModel } from "../../model/execution_model.ts";
import { LLAMA3_8B_H100 } from "../../model/presets.ts";
import type { ModelPreset } from "../../model/model.ts";
import type { MetricNames } from "../vllm/metric_names.ts";

/** `--kv-transfer-config`, as far as the emulator reads it. */
export interface KvTransferConfig {
  /** `kv_connector` (the NixlConnector's protocol is what is emulated). */
  readonly kv_connector?: string;
  /** `kv_role`: `kv_producer`, `kv_consumer` or `kv_both`. */
  readonly kv_role?: string;
  /** What a decode engine does when a KV pull fails (default `fail`). */
  readonly kv_load_failure_policy?: "fail" | "recompute";
  /** Any other key, kept. */
  readonly [key: string]: unknown;
}

/** Everything {@linkcode startEmulator} takes; every field but `preset` has a default. */
export interface EmulatorOptions {
  /** Bind address. Default `127.0.0.1`. */
  readonly host?: string;
  /** Port (0 = a free one). Default 8000. */
  readonly port?: number;
  /** `vllm serve MODEL`: a Hugging Face name or a model directory. Default: the preset's. */
  readonly model?: string;
  /** The name clients use (`--served-model-name`). Default: `model`. */
  readonly servedModelName?: string;
  /** Timing preset. Default `llama3-8b-h100`. */
  readonly preset?: ModelPreset;
  /** A built-in tokenizer name or a model directory. Default: from `model`. */
  readonly tokenizer?: string;
  /** Tokens per KV block (`--block-size`). Default 16, as vLLM. */
  readonly blockSize?: number;
  /** Longest prompt + output (`--max-model-len`). Default: the model's. */
  readonly maxModelLen?: number;
  /** `--enable-prefix-caching` (default) or not. */
  readonly enablePrefixCaching?: boolean;
  /** `--max-num-seqs`. Default: the preset's. */
  readonly maxNumSeqs?: number;
  /** `--max-num-batched-tokens`. Default: the preset's. */
  readonly maxNumBatchedTokens?: number;
  /** `--gpu-memory-utilization`. Default: the preset's (0.9). */
  readonly gpuMemoryUtilization?: number;
  /** `--tensor-parallel-size` (recorded; the preset's TP times the engine). Default: the preset's. */
  readonly tensorParallelSize?: number;
  /** `--api-key`: guards `/v1/*` and `/admin/*`. */
  readonly apiKey?: string;
  /** Model time per wall time. Default 1. */
  readonly timeScale?: number;
  /** Which metric names `/metrics` writes. Default `new`. */
  readonly metricsNames?: MetricNames;
  /** A file for one JSON line per request. */
  readonly requestLog?: string;
  /** `--kv-transfer-config`: P/D needs one (as vLLM: no connector, no KV hand-off). */
  readonly kvTransferConfig?: KvTransferConfig;
  /** Side-channel bind host (`VLLM_NIXL_SIDE_CHANNEL_HOST`). Default: `host`. */
  readonly sideChannelHost?: string;
  /** Side-channel port (`VLLM_NIXL_SIDE_CHANNEL_PORT`; 0 = a free one). Default 0. */
  readonly sideChannelPort?: number;
  /** How long a prefill engine holds unpulled KV, model s (`VLLM_NIXL_ABORT_REQUEST_TIMEOUT`). */
  readonly holdTimeoutS?: number;
  /** The argv the emulator was started with (logged at start). */
  readonly argv?: readonly string[];
  /** Environment variables to log at start (the runner reads them back). */
  readonly startEnv?: Readonly<Record<string, string | undefined>>;
  /** Where log lines go. Default: stderr. */
  readonly log?: (line: string) => void;
}

/** The served model of each timing preset (its Hugging Face name). */
export const PRESET_MODEL: Readonly<Record<string, string>> = {
  "llama3-8b-h100": "meta-llama/Llama-3.1-8B-Instruct",
  "llama3-8b-a100": "meta-llama/Meta-Llama-3-8B-Instruct",
  "llama3-70b-h100-tp4": "meta-llama/Llama-3.1-70B-Instruct",
};

/** The context length of each built-in tokenizer's model family. */
export const FAMILY_MAX_MODEL_LEN: Readonly<Record<string, number>> = {
  "llama-3.1": 131_072,
  "llama-3": 8192,
};

/** The engine `options` describe. */
export interface EngineShape {
  /** The execution model with vLLM's overrides. */
  readonly model: ExecutionModel;
  /** KV blocks (`num_gpu_blocks`). */
  readonly numGpuBlocks: number;
  /** KV capacity, tokens (whole blocks). */
  readonly capacityTokens: number;
}

/**
 * The execution model and KV capacity of `preset` under vLLM's overrides.
 *
 * @throws {RangeError} When the overrides leave no KV memory.
 */
export function engineShape(
  preset: ModelPreset,
  blockSize: number,
  o: Pick<EmulatorOptions, "maxNumSeqs" | "maxNumBatchedTokens" | "gpuMemoryUtilization">,
): EngineShape {
  const p: ModelPreset = {
    ...preset,
    maxNumSeqs: o.maxNumSeqs ?? preset.maxNumSeqs,
    maxBatchedTokens: o.maxNumBatchedTokens ?? preset.maxBatchedTokens,
    gpuMemoryUtilization: o.gpuMemoryUtilization ?? preset.gpuMemoryUtilization,
  };
  const model = createExecutionModel(p);
  const numGpuBlocks = Math.floor(model.kvCapacityTokens / blockSize);
  return { model, numGpuBlocks, capacityTokens: numGpuBlocks * blockSize };
}

/** The default preset. */
export const DEFAULT_PRESET: ModelPreset = LLAMA3_8B_H100;
