/**
 * Plain data shared by every layer: requests, roles, the fleet snapshot a policy reads and the
 * decision it writes, request records, errors, the seeded RNG.
 *
 * @module
 */

export * from "./errors.ts";
export * from "./record.ts";
export * from "./rng.ts";
export * from "./types.ts";
