/**
 * The emulator's `/metrics`: vLLM V1's names and labels (VLLM.md §2), values in model
 * time, with the deprecated aliases under `--metrics-names old|both`.
 *
 * Gauges as vLLM counts them: running = requests scheduled and not finished (prefilling
 * or decoding); waiting = requests not yet scheduled, and decode requests whose KV is
 * still being pulled (vLLM's `WAITING_FOR_REMOTE_KVS`); KV usage = allocated blocks over
 * all blocks (cached but free blocks are free). Counters move when a request is scheduled
 * (prompt tokens, prefix-cache queries and hits) and when it ends (generated tokens).
 *
 * @module
 */

import { PromWriter } from "../../metrics/prometheus.ts";
import { Phase } from "../../worker/flight.ts";
import { type MetricNames, metricNamesFor, VLLM_METRIC } from "../vllm/metric_names.ts";
import type { EngineLoop } from "./engine_loop.ts";
import type { BucketHistogram } from "./engine_stats.ts";

/** What `/metrics` shows besides the loop's own state. */
export interface MetricsContext {
  /** The engine. */
  readonly loop: EngineLoop;
  /** `model_name` label. */
  readonly modelName: string;
  /** Which names to write. */
  readonly names: MetricNames;
  /** `vllm:cache_config_info` labels. */
  readonly cacheConfig: Readonly<Record<string, string>>;
  /** Held prefills (`nixl_num_pending_sends`), when a connector is configured. */
  readonly pendingSends?: () => number;
}

/** The gauges of `loop` as vLLM reports them. */
export function engineGauges(loop: EngineLoop): { running: number; waiting: number; kv: number } {
  let running = 0, waiting = 0;
  for (const job of loop.jobs) {
    if (job.finish !== "") continue; // a held prefill: finished, its blocks still allocated
    const ph = job.flight.phase;
    if (ph === Phase.PrefillQueued || ph === Phase.DecodeAdmit || ph === Phase.Transfer) waiting++;
    else if (ph === Phase.Prefilling || ph === Phase.Join || ph === Phase.Decoding) running++;
  }
  const g = loop.kv.gauges;
  return { running, waiting, kv: g.kvUsedTokens[0] / g.kvCapacityTokens[0] };
}

/** The `/metrics` text. */
export function metricsText(c: MetricsContext): string {
  const w = new PromWriter();
  const labels = { model_name: c.modelName, engine: "0" };
  const st = c.loop.stats;
  const gauges = engineGauges(c.loop);
  const gauge = (name: string, help: string, v: number) => {
    for (const n of metricNamesFor(name, c.names)) {
      w.family(n, "gauge", help);
      w.sample(n, labels, v);
    }
  };
  const counter = (name: string, help: string, v: number) => {
    for (const n of metricNamesFor(name, c.names)) {
      w.family(`${n}_total`, "counter", help);
      w.sample(`${n}_total`, labels, v);
    }
  };
  const hist = (name: string, help: string, h: BucketHistogram) => {
    for (const n of metricNamesFor(name, c.names)) {
      w.family(n, "histogram", help);
      w.histogram(n, labels, h.bounds, h.counts, h.sum);
    }
  };
  gauge(VLLM_METRIC.running, "Number of requests in model execution batches.", gauges.running);
  gauge(VLLM_METRIC.waiting, "Number of requests waiting to be processed.", gauges.waiting);
  gauge(VLLM_METRIC.kvUsage, "KV-cache usage. 1 means 100 percent usage.", gauges.kv);
  counter(VLLM_METRIC.preemptions, "Cumulative number of preemption from the engine.", 0);
  counter(
    VLLM_METRIC.prefixQueries,
    "Prefix cache queries, in terms of number of queried tokens.",
    st.prefixQueries,
  );
  counter(
    VLLM_METRIC.prefixHits,
    "Prefix cache hits, in terms of number of cached tokens.",
    st.prefixHits,
  );
  counter(VLLM_METRIC.promptTokens, "Number of prefill tokens processed.", st.promptTokens);
  counter(
    VLLM_METRIC.generationTokens,
    "Number of generation tokens processed.",
    st.generationTokens,
  );
  const success = `${VLLM_METRIC.requestSuccess}_total`;
  w.family(success, "counter", "Count of successfully processed requests.");
  for (const reason of ["stop", "length", "abort", "error"] as const) {
    w.sample(success, { ...labels, finished_reason: reason }, st.finished[reason]);
  }
  hist(VLLM_METRIC.ttft, "Histogram of time to first token in seconds.", st.ttft);
  hist(VLLM_METRIC.itl, "Histogram of inter-token latency in seconds.", st.itl);
  hist(VLLM_METRIC.e2e, "Histogram of e2e request latency in seconds.", st.e2e);
  hist(VLLM_METRIC.queueTime, "Histogram of time spent in WAITING phase for request.", st.queue);
  hist(
    VLLM_METRIC.prefillTime,
    "Histogram of time spent in PREFILL phase for request.",
    st.prefill,
  );
  hist(VLLM_METRIC.decodeTime, "Histogram of time spent in DECODE phase for request.", st.decode);
  hist(
    VLLM_METRIC.inferenceTime,
    "Histogram of time spent in RUNNING phase for request.",
    st.inference,
  );
  w.family(VLLM_METRIC.cacheConfig, "gauge", "Information of the LLMEngine CacheConfig");
  w.sample(VLLM_METRIC.cacheConfig, c.cacheConfig, 1);
  if (c.pendingSends) {
    hist(
      VLLM_METRIC.nixlXferTime,
      "Histogram of transfer duration for NIXL KV Cache transfers.",
      st.nixlXfer,
    );
    counter(
      VLLM_METRIC.nixlFailedTransfers,
      "Number of failed NIXL KV Cache transfers.",
      st.nixlFailed,
    );
    gauge(
      VLLM_METRIC.nixlPendingSends,
      "Finished prefills whose KV blocks are still held.",
      c.pendingSends(),
    );
  }
  return w.text();
}
