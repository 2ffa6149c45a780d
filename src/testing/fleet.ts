/**
 * Small fleets, requests and contexts for policy tests (`FleetState` re-exported, so
 * that a policy's tests need import nothing but `testing/`).
 *
 * @module
 */
import { Role } from "../core/types.ts";
import type { RouteRequest } from "../core/types.ts";
import { FleetState } from "../fleet/fleet_state.ts";
import type { PolicyContext } from "../policy/types.ts";

export { FleetState };

/** A fleet of `prefill` prefill-only then `decode` decode-only workers, 16-token blocks. */
export function pdFleet(prefill: number, decode: number, kvCapacity = 100_000): FleetState {
  const roles: number[] = [];
  for (let i = 0; i < prefill; i++) roles.push(Role.Prefill);
  for (let i = 0; i < decode; i++) roles.push(Role.Decode);
  return new FleetState(roles, kvCapacity, 16);
}

/** A request whose blocks are `blocks`, `promptTokens` defaulting to 16 per block. */
export function request(
  blocks: number[],
  promptTokens = blocks.length * 16,
  outputTokens = 10,
): RouteRequest {
  return {
    id: 0,
    promptTokens,
    outputTokens,
    maxTokens: outputTokens,
    blocks: new Uint32Array(blocks),
    priority: 0,
    sessionId: -1,
  };
}

/** A context whose random source replays `draws` cyclically (0.5 forever by default). */
export function context(
  draws: number[] = [0.5],
  overrides: Partial<PolicyContext> = {},
): PolicyContext {
  let i = 0;
  return {
    random: () => draws[i++ % draws.length],
    sloTtftMs: 1000,
    sloTpotMs: 50,
    prefillMsPerToken: 0.025,
    ...overrides,
  };
}
