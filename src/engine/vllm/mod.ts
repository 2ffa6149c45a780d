/**
 * vLLM's protocol as the live path speaks it: response and chunk shapes, error objects,
 * `kv_transfer_params`, request fields, metric names and buckets, and `vllm serve`'s
 * command line.
 *
 * @module
 */

export * from "./metric_names.ts";
export * from "./protocol.ts";
export * from "./request_fields.ts";
export * from "./serve_args.ts";
