/**
 * An engine prefix cache at the engine's own block size (vLLM `--block-size`, 16 by
 * default) over requests whose block hashes come at another granularity (Mooncake's
 * traces hash 512-token blocks). The engine's block `j` covers prompt tokens
 * `[j·e, (j+1)·e)`; its hash chains every workload hash up to the workload block that
 * holds its last token, with `j`, so that two prompts share engine block `j` exactly
 * when they share every workload block up to it. Only full engine blocks are cached,
 * as vLLM does.
 *
 * @module
 */

import type { InferenceRequest, WorkerId } from "../core/types.ts";
import { PrefixIndex } from "../index/prefix_index.ts";
import { cachedPromptTokens, type EngineCache } from "./engine.ts";

/**
 * The engine-granularity block hashes of a prompt of `promptTokens` whose workload
 * blocks (`blocks`) hold `workloadBlockTokens` each.
 *
 * @example
 * ```ts
 * import { engineBlockHashes } from "./rechunked_cache.ts";
 * const a = engineBlockHashes(new Uint32Array([7, 8]), 64, 100, 16);
 * const b = engineBlockHashes(new Uint32Array([7, 9]), 64, 100, 16);
 * if (a.length !== 6) throw new Error("100 tokens hold six full 16-token blocks");
 * if (a[3] !== b[3] || a[4] === b[4]) throw new Error("shared up to token 64");
 * ```
 */
export function engineBlockHashes(
  blocks: Uint32Array,
  workloadBlockTokens: number,
  promptTokens: number,
  engineBlockTokens: number,
): Uint32Array {
  const n = Math.floor(promptTokens / engineBlockTokens);
  const out = new Uint32Array(n);
  let chain = 0x811c9dc5, k = -1;
  for (let j = 0; j < n; j++) {
    const lastToken = (j + 1) * engineBlockTokens - 1;
    const kj = Math.min(Math.floor(lastToken / workloadBlockTokens), blocks.length - 1);
    while (k < kj) {
      k++;
      chain = Math.imul(chain ^ blocks[k], 0x01000193) >>> 0;
      chain = (chain ^ (chain >>> 15)) >>> 0;
    }
    out[j] = Math.imul(chain ^ Math.imul(j + 1, 0x9e3779b1), 0x85ebca6b) >>> 0;
  }
  return out;
}

/**
 * A per-worker engine cache at `engineBlockTokens`, fed requests whose blocks hold
 * `workloadBlockTokens` each.
 */
export class RechunkedCache implements EngineCache {
  /** The engine's block size, tokens. */
  readonly blockTokens: number;
  readonly #workloadBlockTokens: number;
  readonly #index: PrefixIndex;
  readonly #hashes = new WeakMap<InferenceRequest, Uint32Array>();

  /**
   * A cache for `workers` engines.
   *
   * @throws {RangeError} When a block size is not a positive integer.
   */
  constructor(workers: number, engineBlockTokens: number, workloadBlockTokens: number) {
    for (
      const [name, v] of [["engineBlockTokens", engineBlockTokens], [
        "workloadBlockTokens",
        workloadBlockTokens,
      ]] as const
    ) {
      if (!Number.isInteger(v) || v < 1) {
        throw new RangeError(
          `Cannot create RechunkedCache: '${name}' must be a positive integer, got ${v}`,
        );
      }
    }
    this.blockTokens = engineBlockTokens;
    this.#workloadBlockTokens = workloadBlockTokens;
    this.#index = new PrefixIndex(workers);
  }

  /** Leading cached prompt tokens of `req` on `worker`. */
  cachedTokens(worker: WorkerId, req: InferenceRequest): number {
    const m = this.#index.matchLength(worker, this.#of(req));
    return cachedPromptTokens(m, this.blockTokens, req.promptTokens);
  }

  /** Caches `req`'s full engine blocks on `worker`. */
  insert(worker: WorkerId, req: InferenceRequest): void {
    this.#index.insert(worker, this.#of(req));
  }

  /** Keeps at most `freeTokens` of cache on `worker`. */
  trim(worker: WorkerId, freeTokens: number): void {
    this.#index.evictTo(worker, Math.floor(freeTokens / this.blockTokens));
  }

  #of(req: InferenceRequest): Uint32Array {
    let h = this.#hashes.get(req);
    if (!h) {
      h = engineBlockHashes(
        req.blocks,
        this.#workloadBlockTokens,
        req.promptTokens,
        this.blockTokens,
      );
      this.#hashes.set(req, h);
    }
    return h;
  }
}
