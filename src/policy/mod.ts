/**
 * Routing policies: the `Policy` interface, config specs, the flat registry, and one module per
 * built-in policy (round-robin, telemetry, least-loaded, power-of-two, and re-creations of llm-d,
 * Dynamo, SGLang and AIBrix). Imports nothing but `core/`: no CSV or plotting package is loaded
 * with it.
 *
 * @module
 */

export * from "../core/types.ts";
export * from "./aibrix.ts";
export * from "./build.ts";
export * from "./config.ts";
export * from "./dynamo.ts";
export * from "./least_loaded.ts";
export * from "./llm_d.ts";
export * from "./power_of_two.ts";
export * from "./registry.ts";
export * from "./round_robin.ts";
export * from "./sglang.ts";
export * from "./telemetry.ts";
export * from "./types.ts";
