/**
 * The router's dispatch ledger: what the router itself knows about the requests it
 * routed, and the only writer of the in-flight signals of a {@linkcode FleetState}.
 *
 * An entry lives from dispatch to completion: dispatch → prefill done → first token →
 * complete | fail. While it lives it counts toward its workers' `inflight`, its
 * estimated uncached prompt tokens toward its prefill worker's `queuedPrefillTokens`,
 * and the KV it will need toward its decode worker's committed KV (`kvWaitingTokens`)
 * until the engine holds that KV itself (`kvAdmitted`). An entry whose completion never
 * arrives (a lost response, a crashed engine) is failed after `ttlMs`, so that nothing
 * leaks. The ledger marks the workers it changes (`FleetState.touch`); call
 * `FleetState.flush` before a policy reads the fleet.
 *
 * Where an engine reports more than a router can see (the simulator's engines tell it
 * when a prompt is admitted and how much of it was cached, and when each chunk is
 * computed), `prefillStarted` and `prefillProgress` refine the estimate; a live router
 * keeps its dispatch estimate until the prefill hop returns.
 *
 * @module
 */

import type { WorkerId } from "../core/types.ts";
import type { FleetState } from "./fleet_state.ts";

/** Stage of a ledger entry. */
export const LedgerStage = {
  /** Not in use. */
  Free: 0,
  /** Routed; prefill not done. */
  Dispatched: 1,
  /** Prompt computed (the prefill hop returned). */
  PrefillDone: 2,
  /** First token seen. */
  FirstToken: 3,
} as const;

/** Options of a {@linkcode DispatchLedger}. */
export interface LedgerOptions {
  /** Entries older than this are failed by `expire`, ms. Default `Infinity` (never). */
  readonly ttlMs?: number;
}

/**
 * Per-request bookkeeping of the router, in typed arrays indexed by entry id.
 *
 * @example
 * ```ts
 * import { DispatchLedger } from "./ledger.ts";
 * import { FleetState } from "./fleet_state.ts";
 * import { Role } from "../core/types.ts";
 * const fleet = new FleetState([Role.Prefill, Role.Decode], 1000, 16);
 * const ledger = new DispatchLedger(fleet, { ttlMs: 60_000 });
 * const id = ledger.dispatch(0, 0, 1, 300, 400);
 * fleet.flush();
 * if (fleet.inflight[0] !== 1 || fleet.queuedPrefillTokens[0] !== 300) throw new Error("counted");
 * ledger.prefillDone(id, 50);
 * ledger.complete(id, 900);
 * if (fleet.inflight[1] !== 0 || fleet.kvWaitingTokens[1] !== 0) throw new Error("released");
 * ```
 */
export class DispatchLedger {
  readonly #fleet: FleetState;
  readonly #ttlMs: number;
  #stage = new Uint8Array(64);
  #prefill = new Int32Array(64);
  #decode = new Int32Array(64);
  #prefillTokens = new Float64Array(64);
  #kvPrefill = new Float64Array(64);
  #kvDecode = new Float64Array(64);
  #dispatchedMs = new Float64Array(64);
  #free: number[] = [];
  #next = 0;
  #live = 0;

  /**
   * A ledger writing the in-flight signals of `fleet`.
   *
   * @throws {RangeError} On a non-positive `ttlMs`.
   */
  constructor(fleet: FleetState, options: LedgerOptions = {}) {
    const ttl = options.ttlMs ?? Infinity;
    if (!(ttl > 0)) {
      throw new RangeError(`Cannot create DispatchLedger: 'ttlMs' must be positive, got ${ttl}`);
    }
    this.#fleet = fleet;
    this.#ttlMs = ttl;
  }

  /** Entries alive (dispatched, not completed or failed). */
  get size(): number {
    return this.#live;
  }

  /** The stage of entry `id` ({@linkcode LedgerStage}). */
  stage(id: number): number {
    return this.#stage[id];
  }

  /**
   * Records a routed request: prefill on `prefill` (its decode worker itself for local
   * prefill), decode on `decode`, `uncachedTokens` estimated to compute, `kvTokens` of
   * KV it will need on `decode`. Returns the entry id.
   */
  dispatch(
    nowMs: number,
    prefill: WorkerId,
    decode: WorkerId,
    uncachedTokens: number,
    kvTokens: number,
  ): number {
    const id = this.#alloc();
    const f = this.#fleet;
    this.#stage[id] = LedgerStage.Dispatched;
    this.#prefill[id] = prefill;
    this.#decode[id] = decode;
    this.#prefillTokens[id] = uncachedTokens;
    this.#kvPrefill[id] = 0;
    this.#kvDecode[id] = kvTokens;
    this.#dispatchedMs[id] = nowMs;
    f.inflight[decode]++;
    if (prefill !== decode) f.inflight[prefill]++;
    f.queuedPrefillTokens[prefill] += uncachedTokens;
    f.kvWaitingTokens[decode] += kvTokens;
    f.touch(decode);
    if (prefill !== decode) f.touch(prefill);
    return id;
  }

  /** Entry `id` will also hold `tokens` of KV on its prefill worker until admitted there. */
  commitPrefillKv(id: number, tokens: number): void {
    const w = this.#prefill[id];
    this.#kvPrefill[id] += tokens;
    this.#fleet.kvWaitingTokens[w] += tokens;
    this.#fleet.touch(w);
  }

  /** The prefill engine admitted entry `id`'s prompt: `uncachedTokens` to compute. */
  prefillStarted(id: number, uncachedTokens: number): void {
    const w = this.#prefill[id];
    this.#addPrefillTokens(w, uncachedTokens - this.#prefillTokens[id]);
    this.#prefillTokens[id] = uncachedTokens;
  }

  /** `tokens` more of entry `id`'s prompt were computed. */
  prefillProgress(id: number, tokens: number): void {
    this.#prefillTokens[id] -= tokens;
    this.#addPrefillTokens(this.#prefill[id], -tokens);
  }

  /** Entry `id`'s prompt is computed (its prefill hop returned). */
  prefillDone(id: number, _nowMs: number): void {
    const p = this.#prefill[id];
    if (this.#prefillTokens[id] !== 0) {
      this.#addPrefillTokens(p, -this.#prefillTokens[id]);
      this.#prefillTokens[id] = 0;
    }
    if (this.#stage[id] !== LedgerStage.Dispatched) return;
    this.#stage[id] = LedgerStage.PrefillDone;
    if (p !== this.#decode[id]) {
      this.#fleet.inflight[p]--;
      this.#fleet.touch(p);
    }
  }

  /** An engine now holds the KV entry `id` committed on `worker`: stop counting it here. */
  kvAdmitted(id: number, worker: WorkerId): void {
    const f = this.#fleet;
    if (worker === this.#decode[id]) {
      f.kvWaitingTokens[worker] -= this.#kvDecode[id];
      this.#kvDecode[id] = 0;
    } else {
      f.kvWaitingTokens[worker] -= this.#kvPrefill[id];
      this.#kvPrefill[id] = 0;
    }
    if (f.kvWaitingTokens[worker] < 1e-6) f.kvWaitingTokens[worker] = 0;
    f.touch(worker);
  }

  /** Entry `id`'s first token was seen. */
  firstToken(id: number, _nowMs: number): void {
    if (this.#stage[id] === LedgerStage.PrefillDone) this.#stage[id] = LedgerStage.FirstToken;
  }

  /** Entry `id`'s decoding moved to `to` (a migration). */
  moved(id: number, to: WorkerId): void {
    const f = this.#fleet;
    const from = this.#decode[id];
    f.inflight[from]--;
    f.inflight[to]++;
    this.#decode[id] = to;
    f.touch(from);
    f.touch(to);
  }

  /** Entry `id` completed: release everything it counted. */
  complete(id: number, _nowMs: number): void {
    this.#release(id);
  }

  /** Entry `id` failed (an error, a timeout): release everything it counted. */
  fail(id: number): void {
    this.#release(id);
  }

  /** Fails every entry dispatched more than `ttlMs` before `nowMs`; returns how many. */
  expire(nowMs: number): number {
    if (this.#ttlMs === Infinity) return 0;
    let n = 0;
    for (let id = 0; id < this.#next; id++) {
      if (this.#stage[id] !== LedgerStage.Free && nowMs - this.#dispatchedMs[id] > this.#ttlMs) {
        this.#release(id);
        n++;
      }
    }
    return n;
  }

  #addPrefillTokens(w: WorkerId, delta: number): void {
    const q = this.#fleet.queuedPrefillTokens;
    q[w] += delta;
    if (q[w] < 1e-6) q[w] = 0;
    this.#fleet.touch(w);
  }

  #release(id: number): void {
    const stage = this.#stage[id];
    if (stage === LedgerStage.Free) return;
    const f = this.#fleet;
    const p = this.#prefill[id], d = this.#decode[id];
    if (this.#prefillTokens[id] !== 0) this.#addPrefillTokens(p, -this.#prefillTokens[id]);
    if (this.#kvPrefill[id] !== 0) this.kvAdmitted(id, p);
    if (this.#kvDecode[id] !== 0) this.kvAdmitted(id, d);
    if (stage === LedgerStage.Dispatched && p !== d) f.inflight[p]--;
    f.inflight[d]--;
    f.touch(p);
    f.touch(d);
    this.#stage[id] = LedgerStage.Free;
    this.#free.push(id);
    this.#live--;
  }

  #alloc(): number {
    this.#live++;
    if (this.#free.length > 0) return this.#free.pop()!;
    const id = this.#next++;
    if (id === this.#stage.length) this.#grow();
    return id;
  }

  #grow(): void {
    const n = this.#stage.length * 2;
    const grow = <T extends Uint8Array | Int32Array | Float64Array>(
      a: T,
      make: (n: number) => T,
    ) => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.#stage = grow(this.#stage, (k) => new Uint8Array(k));
    this.#prefill = grow(this.#prefill, (k) => new Int32Array(k));
    this.#decode = grow(this.#decode, (k) => new Int32Array(k));
    this.#prefillTokens = grow(this.#prefillTokens, (k) => new Float64Array(k));
    this.#kvPrefill = grow(this.#kvPrefill, (k) => new Float64Array(k));
    this.#kvDecode = grow(this.#kvDecode, (k) => new Float64Array(k));
    this.#dispatchedMs = grow(this.#dispatchedMs, (k) => new Float64Array(k));
  }
}
