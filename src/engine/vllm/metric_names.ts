/**
 * vLLM V1's Prometheus metric names, labels and histogram buckets (vllm
 * `v1/metrics/loggers.py`, 0.11), and the deprecated names older routers still read
 * (production-stack reads `vllm:gpu_*`). A scraper reads either; an emulator writes the
 * new names, the old ones, or both (`--metrics-names`).
 *
 * @module
 */

/** The metric names of vLLM V1 (counters without their `_total` suffix). */
export const VLLM_METRIC = {
  /** Gauge: requests in the batch (prefilling or decoding). */
  running: "vllm:num_requests_running",
  /** Gauge: requests waiting to be scheduled. */
  waiting: "vllm:num_requests_waiting",
  /** Gauge: KV-cache usage, a fraction 0–1 despite the name. */
  kvUsage: "vllm:kv_cache_usage_perc",
  /** Counter: prompt tokens looked up in the prefix cache. */
  prefixQueries: "vllm:prefix_cache_queries",
  /** Counter: prompt tokens found in the prefix cache. */
  prefixHits: "vllm:prefix_cache_hits",
  /** Counter: prompt tokens processed. */
  promptTokens: "vllm:prompt_tokens",
  /** Counter: tokens generated. */
  generationTokens: "vllm:generation_tokens",
  /** Counter: preemptions. */
  preemptions: "vllm:num_preemptions",
  /** Counter, label `finished_reason`: finished requests. */
  requestSuccess: "vllm:request_success",
  /** Histogram: arrival → first token, s. */
  ttft: "vllm:time_to_first_token_seconds",
  /** Histogram: gaps between output tokens, s. */
  itl: "vllm:inter_token_latency_seconds",
  /** Histogram: arrival → last token, s. */
  e2e: "vllm:e2e_request_latency_seconds",
  /** Histogram: arrival → scheduled, s. */
  queueTime: "vllm:request_queue_time_seconds",
  /** Histogram: scheduled → first token, s. */
  prefillTime: "vllm:request_prefill_time_seconds",
  /** Histogram: first → last token, s. */
  decodeTime: "vllm:request_decode_time_seconds",
  /** Histogram: scheduled → last token, s. */
  inferenceTime: "vllm:request_inference_time_seconds",
  /** Info gauge (value 1) with the cache configuration as labels (`block_size`, …). */
  cacheConfig: "vllm:cache_config_info",
  /** Histogram (NixlConnector, decode side): KV transfer time, s. */
  nixlXferTime: "vllm:nixl_xfer_time_seconds",
  /** Counter (NixlConnector, decode side): failed KV transfers. */
  nixlFailedTransfers: "vllm:nixl_num_failed_transfers",
  /** Gauge (NixlConnector, prefill side): finished prefills still holding their blocks. */
  nixlPendingSends: "vllm:nixl_num_pending_sends",
} as const;

/** The deprecated name of each new metric that has one. */
export const VLLM_OLD_NAME: Readonly<Record<string, string>> = {
  [VLLM_METRIC.kvUsage]: "vllm:gpu_cache_usage_perc",
  [VLLM_METRIC.prefixQueries]: "vllm:gpu_prefix_cache_queries",
  [VLLM_METRIC.prefixHits]: "vllm:gpu_prefix_cache_hits",
  [VLLM_METRIC.itl]: "vllm:time_per_output_token_seconds",
};

/** Which names a server writes (`--metrics-names`). */
export type MetricNames = "new" | "old" | "both";

/** The names to write for `name` under `mode`: itself, its old alias, or both. */
export function metricNamesFor(name: string, mode: MetricNames): string[] {
  const old = VLLM_OLD_NAME[name];
  if (!old || mode === "new") return [name];
  return mode === "old" ? [old] : [name, old];
}

/** Histogram bucket bounds, s, as vLLM V1 declares them. */
export const VLLM_BUCKETS = {
  /** `time_to_first_token_seconds`. */
  ttft: [
    0.001,
    0.005,
    0.01,
    0.02,
    0.04,
    0.06,
    0.08,
    0.1,
    0.25,
    0.5,
    0.75,
    1.0,
    2.5,
    5.0,
    7.5,
    10.0,
    20.0,
    40.0,
    80.0,
    160.0,
    640.0,
    2560.0,
  ],
  /** `inter_token_latency_seconds`. */
  itl: [
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.15,
    0.2,
    0.3,
    0.4,
    0.5,
    0.75,
    1.0,
    2.5,
    5.0,
    7.5,
    10.0,
    20.0,
    40.0,
    80.0,
  ],
  /** Request-level latencies (e2e, queue, prefill, decode, inference). */
  request: [
    0.3,
    0.5,
    0.8,
    1.0,
    1.5,
    2.0,
    2.5,
    5.0,
    10.0,
    15.0,
    20.0,
    30.0,
    40.0,
    50.0,
    60.0,
    120.0,
    240.0,
    480.0,
    960.0,
    1920.0,
    7680.0,
  ],
} as const;

/** The label names of every engine metric, in vLLM's order. */
export const VLLM_LABELS: readonly string[] = ["model_name", "engine"];
