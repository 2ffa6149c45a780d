/**
 * Model/GPU presets for the timing model. Every constant names its source; the
 * figures are gathered in the project's calibration notes (CALIBRATION.md of the
 * lab this grew from), which cite the primary sources repeated here.
 *
 * @module
 */

import type { GpuSpec, LinkSpec, ModelPreset } from "./model.ts";

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

/** One ConnectX-7 400 Gb/s NIC per GPU. */
export const CX7_400G: LinkSpec = {
  // 0.57 ms fixed cost: linear fit to Mooncake's vLLM v1 P/D transfer times
  // (kvcache-ai/Mooncake docs/source/performance/vllm/vllm-v1-pd-performance.md).
  latencyMs: 0.57,
  // ~40 GB/s effective for IB NDR 400G: llm-d-inference-sim docs/latency-profiles.md.
  bytesPerS: 40e9,
};

// Llama-3-8B shapes: vidur vidur/config/model_config.py (Llama3_8B): 32 layers, hidden 4096,
// 32 query / 8 KV heads, head dim 128 → KV bytes/token = 2 × 32 × 8 × 128 × 2 B = 131,072.
const LLAMA3_8B_SHAPE = {
  layers: 32,
  hiddenSize: 4096,
  kvBytesPerToken: 131_072,
  // 8.03 B parameters × 2 B (bf16) = 16.1 GB.
  weightsBytes: 16.1e9,
} as const;

const VLLM_DEFAULTS_H100 = {
  // vLLM default --gpu-memory-utilization 0.9 (vllm/engine/arg_utils.py).
  gpuMemoryUtilization: 0.9,
  // Activation peak + CUDA graphs, assumed 4 GB for an 8B model with an 8k-token step
  // (not from a measurement; vLLM profiles it at start-up).
  activationReserveBytes: 4e9,
  // vLLM EngineArgs.get_batch_defaults: H100-class GPUs (≥70 GiB, not A100), OpenAI server:
  // max_num_batched_tokens 8192, max_num_seqs 1024.
  maxBatchedTokens: 8192,
  maxNumSeqs: 1024,
} as const;

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
  // Calibration §3, column "H100 L3-8B derived", ms per step.
  denseTokens: [1, 16, 64, 256, 512, 2048, 4096, 8192],
  denseMs: [5.9, 6.4, 6.9, 10.1, 12.6, 44.5, 89.4, 178],
  // 0.45 ms LM head per decode step: calibration §3 (vocab 128256 × hidden 4096 GEMV at HBM speed).
  lmHeadMs: 0.45,
  // Scheduler/sampler CPU time per step, assumed 0.5 ms (Vidur models it separately;
  // not measured here).
  stepOverheadMs: 0.5,
  // Prefill attention at 40% of peak: calibration §3 (unverified assumption; reproduces
  // the ≈222 ms 8k-token prefill of the same table).
  attentionMfu: 0.4,
  // Decode KV reads at 70% of HBM bandwidth: calibration §3 (Vidur single-token steps
  // stream weights at 69–70% of HBM BW).
  hbmEfficiency: 0.7,
  ...VLLM_DEFAULTS_H100,
  link: CX7_400G,
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
  denseTokens: [1, 16, 64, 256, 512, 2048, 4096, 8192],
  denseMs: [9.76, 10.19, 11.33, 19.62, 34.85, 146.43, 275.36, 548.75],
  // LM head scaled from the H100 figure by the HBM bandwidth ratio 3.35 / 2.039.
  lmHeadMs: 0.74,
  // Assumed, as for the H100 preset.
  stepOverheadMs: 0.5,
  // Calibration §3 assumption, as for the H100 preset.
  attentionMfu: 0.4,
  // Calibration §3: single-token steps stream weights at ~70% of HBM BW on A100 too.
  hbmEfficiency: 0.7,
  // vLLM defaults for A100 (get_batch_defaults "else" branch, OpenAI server): 2048 / 256.
  gpuMemoryUtilization: 0.9,
  activationReserveBytes: 4e9,
  maxBatchedTokens: 2048,
  maxNumSeqs: 256,
  link: CX7_400G,
};

const presets: readonly ModelPreset[] = [LLAMA3_8B_H100, LLAMA3_8B_A100];

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
