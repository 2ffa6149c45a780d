/**
 * Clock-free engine schedulers (prefill-only, and decode or colocated with chunked prefill),
 * driven by "now" through a `SchedulerHost`: the simulator runs them on a virtual clock, the
 * emulator on a real one.
 *
 * @module
 */

export * from "./decode_scheduler.ts";
export * from "./decode_timeline.ts";
export * from "./engine.ts";
export * from "./flight.ts";
export * from "./host.ts";
export * from "./prefill_scheduler.ts";
export * from "./rechunked_cache.ts";
