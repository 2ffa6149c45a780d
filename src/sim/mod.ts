/**
 * The discrete-event simulator (the event loop that drives `worker/` and `fleet/`) and its
 * experiments: policy comparison and capacity estimates.
 *
 * @module
 */

export * from "./calibration.ts";
export * from "./capacity.ts";
export * from "./compare.ts";
export * from "./event_queue.ts";
export * from "./simulation_options.ts";
export * from "./simulator.ts";
