/**
 * An engine cache that also keeps the router's prefix index: the engines cache at
 * their own block size, and the router records, at the workload's block size, what it
 * routed where, trimmed to the same free memory. Used by the simulator when the
 * engines' block size differs from the workload's.
 *
 * @module
 */

import type { InferenceRequest, WorkerId } from "../core/types.ts";
import type { EngineCache } from "../worker/engine.ts";

/** Forwards to the engines' cache and keeps `router` in step. */
export class MirroredCache implements EngineCache {
  readonly #engine: EngineCache;
  readonly #router: EngineCache;

  /** The engines' `engine` cache, mirrored into the router's `router` index. */
  constructor(engine: EngineCache, router: EngineCache) {
    this.#engine = engine;
    this.#router = router;
  }

  /** The engines' block size. */
  get blockTokens(): number {
    return this.#engine.blockTokens;
  }

  /** What the engine serves from its cache. */
  cachedTokens(worker: WorkerId, req: InferenceRequest): number {
    return this.#engine.cachedTokens(worker, req);
  }

  /** Caches on the engine and records it in the router's index. */
  insert(worker: WorkerId, req: InferenceRequest): void {
    this.#engine.insert(worker, req);
    this.#router.insert(worker, req);
  }

  /** Trims both to `freeTokens`. */
  trim(worker: WorkerId, freeTokens: number): void {
    this.#engine.trim(worker, freeTokens);
    this.#router.trim(worker, freeTokens);
  }
}
