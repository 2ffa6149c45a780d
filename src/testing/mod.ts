/**
 * For people writing policies: the policy contract suite every built-in policy passes, and small
 * fleet fixtures.
 *
 * @module
 */

export * from "./contract.ts";
export * from "./fixtures.ts";
export * from "./fleet.ts";
