/**
 * Plain data shared by every layer: requests, roles, the fleet snapshot a policy reads and the
 * decision it writes, request records, errors, the seeded RNG, the injected clock.
 *
 * @module
 */

export * from "./clock.ts";
export * from "./errors.ts";
export * from "./record.ts";
export * from "./rng.ts";
export * from "./types.ts";
