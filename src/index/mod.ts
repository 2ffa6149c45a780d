/**
 * Pure data structures behind the fleet snapshot: the prefix (KV-block) index and the min/max
 * load index.
 *
 * @module
 */

export * from "./load_index.ts";
export * from "./prefix_index.ts";
