/**
 * The execution model: step times (prefill, decode, mixed), KV bytes and capacity, and KV
 * transfer time, from presets whose every constant names its source.
 *
 * @module
 */

export * from "./calibration.ts";
export * from "./execution_model.ts";
export * from "./model.ts";
export * from "./presets.ts";
