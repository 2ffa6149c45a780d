/**
 * What every engine scheduler shares: the engine's own gauges (its queue, batch and
 * KV memory), the engine's prefix cache, and the KV accounting between the two (the
 * prefix cache lives in the KV memory requests do not use, as in vLLM).
 *
 * Engine state is engine truth. The router sees it only as an engine exposes it
 * (simulated instantly today, or scraped from `/metrics` live); router-side signals
 * are written by `src/fleet/`.
 *
 * @module
 */

import type { InferenceRequest, WorkerId } from "../core/types.ts";
import { PrefixIndex } from "../index/prefix_index.ts";

/**
 * Per-worker engine gauges, indexed by worker id, written only by the engine
 * schedulers. A driver may hand over the arrays of a {@linkcode FleetSnapshot} so that
 * the router sees engine state at once (the simulator today).
 */
export interface EngineGauges {
  /** Requests waiting for admission per worker (vLLM `num_requests_waiting`). */
  readonly queued: Uint32Array;
  /** Requests in the batch per worker (vLLM `num_requests_running`). */
  readonly running: Uint32Array;
  /** KV tokens allocated or reserved per worker. */
  readonly kvUsedTokens: Float64Array;
  /** KV capacity per worker, tokens. */
  readonly kvCapacityTokens: Float64Array;
}

/** Creates zeroed gauges for `n` workers of `kvCapacityTokens` each. */
export function createEngineGauges(n: number, kvCapacityTokens: number): EngineGauges {
  return {
    queued: new Uint32Array(n),
    running: new Uint32Array(n),
    kvUsedTokens: new Float64Array(n),
    kvCapacityTokens: new Float64Array(n).fill(kvCapacityTokens),
  };
}

/**
 * An engine's prefix cache over prompt blocks, per worker. Cached blocks need no
 * compute; the cache holds at most the KV memory requests leave free.
 */
export interface EngineCache {
  /** The engine's block size, tokens. */
  readonly blockTokens: number;
  /**
   * Prompt tokens of `req` served from `worker`'s cache: its leading cached blocks,
   * at most `promptTokens − 1` (the last token is always computed, for the logits).
   */
  cachedTokens(worker: WorkerId, req: InferenceRequest): number;
  /** Caches `req`'s prompt blocks on `worker` (most recently used). */
  insert(worker: WorkerId, req: InferenceRequest): void;
  /** Evicts least recently used blocks until `worker` holds at most `freeTokens`. */
  trim(worker: WorkerId, freeTokens: number): void;
}

/**
 * An engine cache kept in a {@linkcode PrefixIndex} at the workload's block
 * granularity: the request's own block hashes are the engine's blocks. Handing the
 * router's index in makes the router's prefix view the engines' caches (the
 * simulator's behaviour before the realism issue).
 *
 * @example
 * ```ts
 * import { BlockCache } from "./engine.ts";
 * import { PrefixIndex } from "../index/prefix_index.ts";
 * const cache = new BlockCache(new PrefixIndex(2), 16);
 * const req = { id: 0, arrivalMs: 0, promptTokens: 40, outputTokens: 1, maxTokens: 1,
 *   blocks: new Uint32Array([1, 2, 3]), priority: 0, sessionId: -1 };
 * cache.insert(0, req);
 * if (cache.cachedTokens(0, req) !== 39) throw new Error("all but the last token cached");
 * ```
 */
export class BlockCache implements EngineCache {
  /** The index holding the blocks. */
  readonly index: PrefixIndex;
  /** Tokens per block. */
  readonly blockTokens: number;

  /**
   * Wraps `index`, whose blocks hold `blockTokens` tokens each.
   *
   * @throws {RangeError} When `blockTokens` is not a positive integer.
   */
  constructor(index: PrefixIndex, blockTokens: number) {
    if (!Number.isInteger(blockTokens) || blockTokens < 1) {
      throw new RangeError(
        `Cannot create BlockCache: 'blockTokens' must be a positive integer, got ${blockTokens}`,
      );
    }
    this.index = index;
    this.blockTokens = blockTokens;
  }

  /** Leading cached prompt tokens of `req` on `worker`. O(log b). */
  cachedTokens(worker: WorkerId, req: InferenceRequest): number {
    return cachedPromptTokens(
      this.index.matchLength(worker, req.blocks),
      this.blockTokens,
      req.promptTokens,
    );
  }

  /** Caches `req`'s blocks on `worker`. */
  insert(worker: WorkerId, req: InferenceRequest): void {
    this.index.insert(worker, req.blocks);
  }

  /** Keeps at most `freeTokens` of cache on `worker`. */
  trim(worker: WorkerId, freeTokens: number): void {
    this.index.evictTo(worker, Math.floor(freeTokens / this.blockTokens));
  }
}

/**
 * Prompt tokens served by `matchedBlocks` leading cached blocks of `blockTokens` each:
 * at most `promptTokens − 1`, since one prompt token is always computed (it produces
 * the first logits).
 */
export function cachedPromptTokens(
  matchedBlocks: number,
  blockTokens: number,
  promptTokens: number,
): number {
  return matchedBlocks > 0 ? Math.min(matchedBlocks * blockTokens, promptTokens - 1) : 0;
}

/** KV accounting of one set of engines: reservations, releases and cache trimming. */
export class EngineKv {
  /** The engines' gauges. */
  readonly gauges: EngineGauges;
  /** The engines' prefix caches. */
  readonly cache: EngineCache;

  /** Accounts KV in `gauges`, trimming `cache` to the memory left free. */
  constructor(gauges: EngineGauges, cache: EngineCache) {
    this.gauges = gauges;
    this.cache = cache;
  }

  /** Whether `tokens` more KV fit on `worker` now. */
  fits(worker: WorkerId, tokens: number): boolean {
    return this.gauges.kvUsedTokens[worker] + tokens <= this.gauges.kvCapacityTokens[worker];
  }

  /**
   * Reserves `tokens` of KV on `worker` and evicts cache blocks to make room.
   *
   * @throws {Error} When the reservation exceeds capacity (a scheduler bug).
   */
  reserve(worker: WorkerId, tokens: number): void {
    const g = this.gauges;
    g.kvUsedTokens[worker] += tokens;
    if (g.kvUsedTokens[worker] > g.kvCapacityTokens[worker] + 1e-6) {
      throw new Error(`KV over capacity on worker ${worker} (a bug)`);
    }
    this.trim(worker);
  }

  /** Releases `tokens` of KV on `worker` (the blocks stay cached). */
  free(worker: WorkerId, tokens: number): void {
    const g = this.gauges;
    g.kvUsedTokens[worker] -= tokens;
    if (g.kvUsedTokens[worker] < 1e-6) g.kvUsedTokens[worker] = 0;
  }

  /** Caches `req`'s prompt on `worker`, within the memory left free. */
  cachePrompt(worker: WorkerId, req: InferenceRequest): void {
    this.cache.insert(worker, req);
    this.trim(worker);
  }

  /** Evicts cache blocks on `worker` beyond the memory requests leave free. */
  trim(worker: WorkerId): void {
    const g = this.gauges;
    this.cache.trim(worker, g.kvCapacityTokens[worker] - g.kvUsedTokens[worker]);
  }
}

/** A fresh {@linkcode BlockCache} with its own index, for engines that keep their own. */
export function ownBlockCache(workers: number, blockTokens: number): BlockCache {
  return new BlockCache(new PrefixIndex(workers), blockTokens);
}
