/**
 * The engine emulator: a vLLM-compatible server (V1 engine, 0.11+ protocol) whose timing
 * is the simulator's own engine scheduler and execution model on a real clock.
 *
 * @module
 */

export * from "./deadline_timer.ts";
export * from "./emulator.ts";
export * from "./engine_loop.ts";
export * from "./engine_stats.ts";
export * from "./job.ts";
export * from "./metrics_text.ts";
export * from "./nixl.ts";
export * from "./options.ts";
export * from "./prefix_cache.ts";
export * from "./request_log.ts";
export * from "./responses.ts";
