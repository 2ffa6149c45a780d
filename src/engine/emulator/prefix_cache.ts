/**
 * The emulated engine's prefix cache: an LRU over the hashes of the prompt's real token
 * blocks (`promptBlockHashes` at the engine's `--block-size`), holding at most the KV
 * memory requests leave free, with vLLM's hit rule: only whole blocks hit, and the last
 * prompt token is always computed (so a prompt of exactly `k` blocks hits at most `k − 1`).
 *
 * @module
 */

import type { InferenceRequest, WorkerId } from "../../core/types.ts";
import { PrefixIndex } from "../../index/prefix_index.ts";
import type { EngineCache } from "../../worker/engine.ts";

/**
 * An {@linkcode EngineCache} for one engine whose requests carry engine-block hashes.
 *
 * @example
 * ```ts
 * import { VllmPrefixCache } from "./prefix_cache.ts";
 * const c = new VllmPrefixCache(16, true);
 * const req = { id: 0, arrivalMs: 0, promptTokens: 32, outputTokens: 1, maxTokens: 1,
 *   blocks: new Uint32Array([7, 8]), priority: 0, sessionId: -1 };
 * c.insert(0, req);
 * if (c.cachedTokens(0, req) !== 16) throw new Error("a 2-block prompt hits 1 block");
 * ```
 */
export class VllmPrefixCache implements EngineCache {
  /** Tokens per block (`--block-size`). */
  readonly blockTokens: number;
  /** Whether caching is on (`--enable-prefix-caching`, vLLM's default). */
  readonly enabled: boolean;
  readonly #index = new PrefixIndex(1);

  /** A cache of `blockTokens`-token blocks; `enabled: false` never hits nor stores. */
  constructor(blockTokens: number, enabled: boolean) {
    this.blockTokens = blockTokens;
    this.enabled = enabled;
  }

  /** Cached prompt tokens of `req`: whole leading blocks, short of its last token. */
  cachedTokens(worker: WorkerId, req: InferenceRequest): number {
    if (!this.enabled || req.blocks.length === 0) return 0;
    const usable = Math.floor((req.promptTokens - 1) / this.blockTokens);
    const matched = this.#index.matchLength(worker, req.blocks);
    return Math.min(matched, usable) * this.blockTokens;
  }

  /** Caches `req`'s full blocks (most recently used). */
  insert(worker: WorkerId, req: InferenceRequest): void {
    if (this.enabled && req.blocks.length > 0) this.#index.insert(worker, req.blocks);
  }

  /** Keeps at most `freeTokens` of cache. */
  trim(worker: WorkerId, freeTokens: number): void {
    if (this.enabled) this.#index.evictTo(worker, Math.floor(freeTokens / this.blockTokens));
  }

  /** Blocks held now. */
  get blocks(): number {
    return this.#index.blockCount(0);
  }
}
