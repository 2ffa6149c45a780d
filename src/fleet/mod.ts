/**
 * The router side of the fleet: `FleetState` (the snapshot policies read), the dispatch ledger
 * and the TTFT/TPOT smoothers, the only writers of router-side signals, in the simulator and live
 * alike. Also re-exports the indexes it is built on.
 *
 * @module
 */

export * from "../index/mod.ts";
export * from "./fleet_state.ts";
export * from "./ledger.ts";
export * from "./smoother.ts";
