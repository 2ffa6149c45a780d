/**
 * Model/GPU presets for the timing model. Every constant names its source; the
 * measurements they are held to live in `testdata/calibration/` (see its SOURCES.md)
 * and `calibration_test.ts` replays them. Figures marked *derived* are computed here
 * from cited inputs; *fitted* ones were chosen so that the model reproduces the named
 * measurements.
 *
 * @module
 */

import type { AllReduceSpec, FrontEndSpec, GpuSpec, LinkSpec, ModelPreset } from "./model.ts";

/** NVIDIA H100 SXM 80GB. */
export const H100_SXM: GpuSpec = {
  name: "H100 SXM 80GB",
  // 989 TFLOP/s dense bf16: NVIDIA H100 datasheet (via glennklockwood.com/garden/processors/h100).
  peakFlopsPerS: 989e12,
  // 3.35 TB/s HBM3: same datasheet.
  hbmBytesPerS: 3.35e12,
  // 80 GiB HBM3 (85.9e9 B): same datasheet.
  memoryBytes: 80 * 2 ** 30,
};

/** NVIDIA A100 SXM 80GB. */
export const A100_SXM: GpuSpec = {
  name: "A100 SXM 80GB",
  // 312 TFLOP/s dense bf16: NVIDIA A100 datasheet; vidur `device_sku_config.py` uses 312.
  peakFlopsPerS: 312e12,
  // 2.039 TB/s HBM2e: NVIDIA A100 80GB datasheet.
  hbmBytesPerS: 2.039e12,
  // 80 GiB: same datasheet.
  memoryBytes: 80 * 2 ** 30,
};

/**
 * vLLM's NixlConnector as measured in a 3P1D deployment (vllm-project/vllm RFC #50913,
 * KV connector metrics of the decode instance, `--block-size 64`, 2018 transfers: 167 MB
 * and 1785 descriptors per transfer on average, 38.7 ms average transfer duration).
 */
export const NIXL_MEASURED: LinkSpec = {
  // 0.02 ms to post a transfer and 0.02 ms for its notification: nixlbench, one 4 KiB
  // VRAM descriptor, UCX: 20.9 µs average latency (ai-dynamo/nixl issue #1695).
  setupMs: 0.02,
  notifyMs: 0.02,
  // 10.8 µs per descriptor (derived): vllm PR #51919 / RFC #50913, a ~5k-token pull takes
  // ~105 ms with --block-size 16 and ~58 ms less with --block-size 64 (4× fewer
  // descriptors): 58 ms ÷ (3 × 1785 descriptors).
  perBlockMs: 58 / (3 * 1785),
  // --block-size 64: the setting the measurement (and RFC #50913's Proposal 0) uses.
  blockTokens: 64,
  // 8.6 GB/s achieved (fitted): what is left of RFC #50913's 38.7 ms for 167 MB after the
  // setup, the notification and 1785 descriptors at the cost above.
  bytesPerS: 167e6 / ((38.7 - 0.04 - 1785 * 58 / (3 * 1785)) / 1000),
};

/**
 * vLLM's front end per request (fitted): a burst of 1280 ShareGPT requests (283,459
 * prompt tokens) reached one H100 engine's first step 3.258 s after it was sent
 * (LambdaLabsML/vllm-benchmark results/prompt_1280, vLLM v0.6.0): 2.55 ms per request,
 * of which 10 µs per prompt token is tokenisation (Hugging Face tokenizer, 131-token
 * prompt in 1.32–1.40 ms: tenstorrent/tt-inference-server issue #2173).
 */
export const VLLM_FRONT_END: FrontEndSpec = {
  requestMs: 3258 / 1280 - 0.01 * 283_459 / 1280,
  perTokenMs: 0.01,
};

/**
 * NCCL all-reduce inside an 8-GPU DGX H100 (microsoft/vidur
 * data/profiling/network/h100_dgx/all_reduce.csv, commit e26eb8f, 8 workers: 0.031 ms at
 * 0.5–1 MB, 0.045 ms at 2.9 MB, 0.245 ms at 43 MB, 0.343 ms at 66 MB), fitted as
 * 0.03 ms + bytes ÷ 200 GB/s. (The 4-GPU rows of the same file were not read; a 4-GPU
 * ring moves 1.5/1.75 of the 8-GPU bytes, so this errs slow.)
 */
export const NVLINK_ALL_REDUCE_H100: AllReduceSpec = {
  latencyMs: 0.03,
  bytesPerS: 200e9,
};

/**
 * vLLM's CPU overhead per step (fitted): 1.5 ms plus 0.03 ms per running sequence
 * reproduces LLM-Inference-Bench's 20 static vLLM batches of Llama-3-8B on one H100
 * within 5% (argonne-lcf/LLM-Inference-Bench Plots/All_results.csv; see
 * testdata/calibration/SOURCES.md).
 */
const VLLM_CPU_OVERHEAD = { stepOverheadMs: 1.5, seqOverheadMs: 0.03 } as const;

// Llama-3-8B shapes: vidur vidur/config/model_config.py (Llama3_8B): 32 layers, hidden 4096,
// 32 query / 8 KV heads, head dim 128, FFN 14336, vocab 128256 →
// KV bytes/token = 2 × 32 × 8 × 128 × 2 B = 131,072.
const LLAMA3_8B_SHAPE = {
  layers: 32,
  hiddenSize: 4096,
  kvBytesPerToken: 131_072,
  // 8.03 B parameters × 2 B (bf16) = 16.1 GB.
  weightsBytes: 16.1e9,
  tensorParallel: 1,
} as const;

const VLLM_DEFAULTS_H100 = {
  // vLLM default --gpu-memory-utilization 0.9 (vllm/engine/arg_utils.py).
  gpuMemoryUtilization: 0.9,
  // Activation peak + CUDA graphs, assumed 4 GB per GPU (not from a measurement; vLLM
  // profiles it at start-up).
  activationReserveBytes: 4e9,
  // vLLM EngineArgs.get_batch_defaults: H100-class GPUs (≥70 GiB, not A100), OpenAI server:
  // max_num_batched_tokens 8192, max_num_seqs 1024.
  maxBatchedTokens: 8192,
  maxNumSeqs: 1024,
} as const;

/** LM head per step: the vocabulary × hidden bf16 weights of one GPU streamed at 70% of HBM. */
function lmHeadMs(vocab: number, hidden: number, tp: number, gpu: GpuSpec): number {
  return vocab * hidden * 2 / tp / (gpu.hbmBytesPerS * 0.7) * 1000;
}

// Calibration §3 (Vidur operator profiles, A100 Llama-3-8B `mlp.csv` × the H100/A100 ratio
// measured for Llama-2-7B at the same token counts), ms per step, column "H100 L3-8B
// derived", at these batched-token counts.
const DENSE_TOKENS = [1, 16, 64, 256, 512, 2048, 4096, 8192] as const;
const LLAMA3_8B_H100_DENSE_MS = [5.9, 6.4, 6.9, 10.1, 12.6, 44.5, 89.4, 178] as const;

/**
 * Llama-3.1-8B on one H100 SXM, TP=1. Dense step table: Vidur operator profiles
 * (microsoft/vidur data/profiling/compute, A100 Llama-3-8B `mlp.csv`, sum of medians
 * × 32 layers) scaled by the H100/A100 ratio measured for Llama-2-7B at the same
 * token counts, as derived in the calibration notes (§3).
 */
export const LLAMA3_8B_H100: ModelPreset = {
  name: "llama3-8b-h100",
  description: "Llama-3.1-8B, bf16, one H100 SXM 80GB, TP=1, vLLM defaults",
  ...LLAMA3_8B_SHAPE,
  gpu: H100_SXM,
  denseTokens: DENSE_TOKENS,
  denseMs: LLAMA3_8B_H100_DENSE_MS,
  // 0.45 ms LM head (derived): 128256 × 4096 bf16 weights at 70% of 3.35 TB/s.
  lmHeadMs: lmHeadMs(128_256, 4096, 1, H100_SXM),
  ...VLLM_CPU_OVERHEAD,
  // Prefill attention at 45% of peak: FlashAttention-3 (vLLM's attention kernel on
  // Hopper), causal, head dim 128, H100 SXM5: 423 TFLOP/s at 1k and 521 at 2k tokens
  // (Shah et al., "FlashAttention-3", 2024, forward-speed figure).
  attentionMfu: 0.45,
  // Decode KV reads at 70% of HBM bandwidth: calibration §3 (Vidur single-token steps
  // stream weights at 69–70% of HBM BW); the LLM-Inference-Bench fit gives 68–70%.
  hbmEfficiency: 0.7,
  allReduce: NVLINK_ALL_REDUCE_H100,
  ...VLLM_DEFAULTS_H100,
  frontEnd: VLLM_FRONT_END,
  link: NIXL_MEASURED,
};

/**
 * Llama-3-8B on one A100 SXM 80GB, TP=1. Dense step table measured directly:
 * Vidur A100 Llama-3-8B `mlp.csv` (calibration §3, column "A100 L3-8B").
 */
export const LLAMA3_8B_A100: ModelPreset = {
  name: "llama3-8b-a100",
  description: "Llama-3-8B, bf16, one A100 SXM 80GB, TP=1, vLLM defaults",
  ...LLAMA3_8B_SHAPE,
  gpu: A100_SXM,
  // Calibration §3, column "A100 L3-8B" (Vidur medians × 32 layers), ms per step.
  denseTokens: DENSE_TOKENS,
  denseMs: [9.76, 10.19, 11.33, 19.62, 34.85, 146.43, 275.36, 548.75],
  // 0.74 ms LM head (derived), as for the H100 preset at 2.039 TB/s.
  lmHeadMs: lmHeadMs(128_256, 4096, 1, A100_SXM),
  // The H100 fit: vLLM's CPU costs do not depend on the GPU.
  ...VLLM_CPU_OVERHEAD,
  // Prefill attention at 40% of peak: calibration §3 assumption (unverified; no
  // FlashAttention-3 on Ampere).
  attentionMfu: 0.4,
  // Calibration §3: single-token steps stream weights at ~70% of HBM BW on A100 too.
  hbmEfficiency: 0.7,
  // A100 NVLink is 600 GB/s against H100's 900 GB/s (calibration §2); unused at TP=1.
  allReduce: NVLINK_ALL_REDUCE_H100,
  // vLLM defaults for A100 (get_batch_defaults "else" branch, OpenAI server): 2048 / 256.
  gpuMemoryUtilization: 0.9,
  activationReserveBytes: 4e9,
  maxBatchedTokens: 2048,
  maxNumSeqs: 256,
  frontEnd: VLLM_FRONT_END,
  link: NIXL_MEASURED,
};

// Llama-3.1-70B shapes: vidur vidur/config/model_config.py (Llama3_70B): 80 layers, hidden
// 8192, 64 query / 8 KV heads, head dim 128, FFN 28672, vocab 128256 (calibration §1).
// Dense weights per layer: QKV 8192 × (8192 + 2 × 1024), O 8192², MLP 3 × 8192 × 28672.
const DENSE_PARAMS_70B_PER_GPU_TP4 = 80 * (8192 * 10240 + 8192 * 8192 + 3 * 8192 * 28672) / 4;
const DENSE_PARAMS_8B = 32 * (4096 * 6144 + 4096 * 4096 + 3 * 4096 * 14336);

/**
 * Llama-3.1-70B on four H100 SXM (one worker = a TP-4 group over NVLink). Dense step
 * table (derived): the 8B H100 table scaled by the dense weights one GPU holds, 17.1 B
 * against 6.98 B (2.45×) — both the weight streaming of small batches and the FLOPs of
 * large ones scale with it, the GEMMs per GPU being of like shape. Held to
 * LLM-Inference-Bench's vLLM TP-4 batches of Llama-3-70B on H100 (calibration test).
 */
export const LLAMA3_70B_H100_TP4: ModelPreset = {
  name: "llama3-70b-h100-tp4",
  description: "Llama-3.1-70B, bf16, four H100 SXM 80GB as one TP=4 worker, vLLM defaults",
  layers: 80,
  hiddenSize: 8192,
  // 2 × 80 × 8 × 128 × 2 B = 327,680 (calibration §1).
  kvBytesPerToken: 327_680,
  // 70.6 B parameters × 2 B = 141 GB (calibration §1).
  weightsBytes: 141e9,
  tensorParallel: 4,
  gpu: H100_SXM,
  denseTokens: DENSE_TOKENS,
  denseMs: LLAMA3_8B_H100_DENSE_MS.map((ms) => ms * DENSE_PARAMS_70B_PER_GPU_TP4 / DENSE_PARAMS_8B),
  // 0.22 ms LM head (derived): vLLM splits the vocabulary over the 4 GPUs.
  lmHeadMs: lmHeadMs(128_256, 8192, 4, H100_SXM),
  // The 8B fit (vLLM's CPU costs per step and per sequence).
  ...VLLM_CPU_OVERHEAD,
  // As for the 8B preset (FlashAttention-3, head dim 128).
  attentionMfu: 0.45,
  hbmEfficiency: 0.7,
  // Two all-reduces per layer over NVLink (Megatron tensor parallelism, as vLLM's
  // RowParallelLinear layers do after attention and after the MLP).
  allReduce: NVLINK_ALL_REDUCE_H100,
  ...VLLM_DEFAULTS_H100,
  frontEnd: VLLM_FRONT_END,
  link: NIXL_MEASURED,
};

const presets: readonly ModelPreset[] = [LLAMA3_8B_H100, LLAMA3_8B_A100, LLAMA3_70B_H100_TP4];

/** All built-in presets. */
export function modelPresets(): readonly ModelPreset[] {
  return presets;
}

/**
 * Looks a preset up by name.
 *
 * @throws {RangeError} When no preset has that name.
 */
export function modelPreset(name: string): ModelPreset {
  const p = presets.find((x) => x.name === name);
  if (!p) {
    throw new RangeError(
      `Unknown model preset '${name}' (known: ${presets.map((x) => x.name).join(", ")})`,
    );
  }
  return p;
}

/**
 * Workers of a fleet of `gpus` GPUs running `preset`: one worker per tensor-parallel
 * group of `preset.tensorParallel` GPUs.
 *
 * @example
 * ```ts
 * import { LLAMA3_70B_H100_TP4, workersForGpus } from "./presets.ts";
 * if (workersForGpus(LLAMA3_70B_H100_TP4, 8) !== 2) throw new Error("8 GPUs are 2 TP-4 workers");
 * ```
 * @throws {RangeError} When `gpus` is not a non-negative multiple of the group size.
 */
export function workersForGpus(preset: ModelPreset, gpus: number): number {
  const tp = preset.tensorParallel;
  if (!Number.isInteger(gpus) || gpus < 0 || gpus % tp !== 0) {
    throw new RangeError(
      `Cannot size fleet: GPU count must be a non-negative multiple of ${tp} ` +
        `(the tensor-parallel size of '${preset.name}'), got ${gpus}`,
    );
  }
  return gpus / tp;
}
