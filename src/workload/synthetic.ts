/**
 * Seeded synthetic workloads: Poisson or bursty (Gamma) arrivals, length
 * distributions, optional shared system prompts, and multi-turn chat sessions whose
 * later turns reuse the KV blocks of earlier ones.
 *
 * Block ids are chain-consistent (equal id ⇒ equal prefix), like Mooncake's
 * `hash_ids`: a full block keeps its id for the life of its session; a partial last
 * block gets a fresh id (its content changes when the conversation grows, and vLLM
 * only caches full blocks).
 *
 * @module
 */

import { exponential, gamma, logNormal, Rng } from "../core/rng.ts";
import type { InferenceRequest, RandomSource, RequestSource } from "../core/types.ts";

/** A token-length distribution. */
export type LengthDist =
  | { readonly kind: "uniform"; readonly min: number; readonly max: number }
  | {
    readonly kind: "lognormal";
    readonly median: number;
    readonly sigma: number;
    readonly min: number;
    readonly max: number;
  };

/** An arrival process. */
export type ArrivalProcess =
  | { readonly kind: "poisson" }
  | {
    readonly kind: "gamma";
    /** Coefficient of variation of inter-arrival times (1 = Poisson, larger = burstier). */
    readonly cv: number;
  };

/** Multi-turn chat sessions sharing system prompts. */
export interface SessionSpec {
  /** Distinct system prompts shared across sessions. */
  readonly systemPrompts: number;
  /** Length of each system prompt (drawn once per prompt). */
  readonly systemTokens: LengthDist;
  /** Mean turns per session (geometric). */
  readonly meanTurns: number;
  /** Mean think time between turns, seconds (exponential). */
  readonly thinkTimeS: number;
  /** A session ends when its context would exceed this many tokens. */
  readonly maxContextTokens: number;
}

/** Shared system prompts for single-turn workloads. */
export interface SharedPrefixSpec {
  /** Distinct shared prompts. */
  readonly prompts: number;
  /** Length of each (drawn once per prompt). */
  readonly tokens: LengthDist;
  /** Probability that a request starts with one of them. */
  readonly probability: number;
}

/** Everything that defines a synthetic workload. */
export interface SyntheticSpec {
  /** Workload name. */
  readonly name: string;
  /** Requests to generate. */
  readonly requests: number;
  /** Mean arrival rate, requests per second. */
  readonly ratePerS: number;
  /** Seed for every random draw. */
  readonly seed: number;
  /** Tokens per KV block. */
  readonly blockTokens: number;
  /** Arrival process (of requests, or of session starts when `sessions` is set). */
  readonly arrival: ArrivalProcess;
  /** Prompt length (single-turn), or the new user message per turn (sessions). */
  readonly prompt: LengthDist;
  /** Output length. */
  readonly output: LengthDist;
  /** Multi-turn sessions, when set. */
  readonly sessions?: SessionSpec;
  /** Shared prefixes for single-turn requests, when set. */
  readonly sharedPrefix?: SharedPrefixSpec;
  /** Fraction of requests with priority 1 (the rest get 0). */
  readonly highPriorityFraction?: number;
}

/** Draws a length from `dist` (an integer, clamped to its bounds). */
export function drawLength(rng: RandomSource, dist: LengthDist): number {
  const raw = dist.kind === "uniform"
    ? dist.min + rng() * (dist.max - dist.min + 1)
    : logNormal(rng, dist.median, dist.sigma);
  return Math.max(dist.min, Math.min(dist.max, Math.floor(raw)));
}

/** Mean of `dist`, estimated by sampling with a fixed seed (for sizing, not for results). */
export function meanLength(dist: LengthDist): number {
  if (dist.kind === "uniform") return (dist.min + dist.max) / 2;
  const rng = new Rng(12345).source();
  let sum = 0;
  for (let i = 0; i < 20_000; i++) sum += drawLength(rng, dist);
  return sum / 20_000;
}

function interArrivalMs(rng: RandomSource, process: ArrivalProcess, ratePerS: number): number {
  const meanMs = 1000 / ratePerS;
  if (process.kind === "poisson") return exponential(rng, meanMs);
  const shape = 1 / (process.cv * process.cv);
  return gamma(rng, shape, meanMs / shape);
}

const SYSTEM_BLOCK_BASE = 1; // system-prompt block ids: 1 + prompt·65536 + k
const FRESH_BLOCK_BASE = 0x10000000; // everything else counts up from here

interface Session {
  id: number;
  system: number;
  contentTokens: number;
  blockIds: number[];
  turnsLeft: number;
  nextArrivalMs: number;
}

const BATCH = 1024;
const CHUNK_BLOCKS = 8192; // block ids per shared chunk (32 KiB)

/**
 * A seeded {@linkcode RequestSource} for a {@linkcode SyntheticSpec}.
 *
 * @example
 * ```ts
 * import { SyntheticSource } from "./synthetic.ts";
 * const src = new SyntheticSource({
 *   name: "demo", requests: 10, ratePerS: 5, seed: 1, blockTokens: 16,
 *   arrival: { kind: "poisson" },
 *   prompt: { kind: "uniform", min: 10, max: 100 },
 *   output: { kind: "uniform", min: 1, max: 20 },
 * });
 * const batch = src.next() as { length: number };
 * if (batch.length !== 10) throw new Error("expected 10 requests");
 * ```
 * @throws {RangeError} On a non-positive count, rate or block size.
 */
export class SyntheticSource implements RequestSource {
  /** Workload name. */
  readonly name: string;
  /** Tokens per KV block. */
  readonly blockTokens: number;
  readonly #spec: SyntheticSpec;
  readonly #rng: RandomSource;
  #emitted = 0;
  #clockMs = 0; // arrival time of the next new request / session
  #nextFresh = FRESH_BLOCK_BASE;
  #nextSessionId = 0;
  #systemTokens: number[] = [];
  #sharedTokens: number[] = [];
  #sessions: Session[] = []; // min-heap on (nextArrivalMs, id)
  #batch: InferenceRequest[] = [];
  #chunk = new ArrayBuffer(0);
  #chunkUsed = CHUNK_BLOCKS;

  /**
   * Creates the source.
   *
   * @param spec The workload.
   */
  constructor(spec: SyntheticSpec) {
    for (const key of ["requests", "ratePerS", "blockTokens"] as const) {
      if (!(spec[key] > 0)) {
        throw new RangeError(`Cannot create workload '${spec.name}': '${key}' must be positive`);
      }
    }
    this.name = spec.name;
    this.blockTokens = spec.blockTokens;
    this.#spec = spec;
    this.#rng = new Rng(spec.seed).source();
    if (spec.sessions) {
      for (let i = 0; i < spec.sessions.systemPrompts; i++) {
        this.#systemTokens.push(drawLength(this.#rng, spec.sessions.systemTokens));
      }
    }
    if (spec.sharedPrefix) {
      for (let i = 0; i < spec.sharedPrefix.prompts; i++) {
        this.#sharedTokens.push(drawLength(this.#rng, spec.sharedPrefix.tokens));
      }
    }
    this.#clockMs = 0;
  }

  /** Next batch of requests (empty at the end). */
  next(): readonly InferenceRequest[] {
    const out = this.#batch;
    out.length = 0;
    const spec = this.#spec;
    while (out.length < BATCH && this.#emitted < spec.requests) {
      out.push(spec.sessions ? this.#nextSessionTurn(spec.sessions) : this.#nextSingle());
      this.#emitted++;
    }
    return out;
  }

  #priority(): number {
    const f = this.#spec.highPriorityFraction ?? 0;
    return f > 0 && this.#rng() < f ? 1 : 0;
  }

  #nextSingle(): InferenceRequest {
    const spec = this.#spec;
    const rng = this.#rng;
    const arrivalMs = this.#clockMs;
    this.#clockMs += interArrivalMs(rng, spec.arrival, spec.ratePerS);
    let prefixTokens = 0, prefixId = -1;
    const shared = spec.sharedPrefix;
    if (shared && rng() < shared.probability) {
      prefixId = Math.floor(rng() * shared.prompts);
      prefixTokens = this.#sharedTokens[prefixId];
    }
    const promptTokens = prefixTokens + drawLength(rng, spec.prompt);
    const outputTokens = Math.max(1, drawLength(rng, spec.output));
    const bt = this.blockTokens;
    const nBlocks = Math.ceil(promptTokens / bt);
    const blocks = this.#blockArray(nBlocks);
    for (let k = 0; k < nBlocks; k++) {
      blocks[k] = (k + 1) * bt <= prefixTokens
        ? SYSTEM_BLOCK_BASE + prefixId * 65536 + k
        : this.#fresh();
    }
    return {
      id: this.#emitted,
      arrivalMs,
      promptTokens,
      outputTokens,
      maxTokens: outputTokens,
      blocks,
      priority: this.#priority(),
      sessionId: -1,
    };
  }

  /**
   * A zeroed block array of length `n`: a view into a shared chunk, because one
   * `ArrayBuffer` per request costs far more than the request itself. A chunk lives
   * while any of its requests does (a few tens of KiB per straggler at most).
   */
  #blockArray(n: number): Uint32Array {
    if (n > CHUNK_BLOCKS >> 3) return new Uint32Array(n);
    if (this.#chunkUsed + n > CHUNK_BLOCKS) {
      this.#chunk = new ArrayBuffer(CHUNK_BLOCKS * 4);
      this.#chunkUsed = 0;
    }
    const view = new Uint32Array(this.#chunk, this.#chunkUsed * 4, n);
    this.#chunkUsed += n;
    return view;
  }

  #fresh(): number {
    const id = this.#nextFresh;
    this.#nextFresh = this.#nextFresh >= 0xfffffffe ? FRESH_BLOCK_BASE : this.#nextFresh + 1;
    return id;
  }

  #nextSessionTurn(ss: SessionSpec): InferenceRequest {
    const spec = this.#spec;
    const rng = this.#rng;
    // Start new sessions until the next one would start after the earliest pending turn.
    const sessionRate = spec.ratePerS / Math.max(1, ss.meanTurns);
    while (this.#sessions.length === 0 || this.#clockMs <= this.#sessions[0].nextArrivalMs) {
      const p = 1 / Math.max(1, ss.meanTurns); // geometric number of turns with this mean
      const turns = p >= 1 ? 1 : 1 + Math.floor(Math.log(1 - rng()) / Math.log(1 - p));
      const system = Math.floor(rng() * ss.systemPrompts);
      heapPush(this.#sessions, {
        id: this.#nextSessionId++,
        system,
        contentTokens: this.#systemTokens[system],
        blockIds: [],
        turnsLeft: turns,
        nextArrivalMs: this.#clockMs,
      });
      this.#clockMs += interArrivalMs(rng, spec.arrival, sessionRate);
    }
    const s = heapPop(this.#sessions)!;
    const user = drawLength(rng, spec.prompt);
    const outputTokens = Math.max(1, drawLength(rng, spec.output));
    const promptTokens = s.contentTokens + user;
    const bt = this.blockTokens;
    const sysTokens = this.#systemTokens[s.system];
    const full = Math.floor(promptTokens / bt);
    for (let k = s.blockIds.length; k < full; k++) {
      s.blockIds.push(
        (k + 1) * bt <= sysTokens ? SYSTEM_BLOCK_BASE + s.system * 65536 + k : this.#fresh(),
      );
    }
    const nBlocks = Math.ceil(promptTokens / bt);
    const blocks = this.#blockArray(nBlocks);
    for (let k = 0; k < full; k++) blocks[k] = s.blockIds[k];
    if (nBlocks > full) blocks[full] = this.#fresh();
    const req: InferenceRequest = {
      id: this.#emitted,
      arrivalMs: s.nextArrivalMs,
      promptTokens,
      outputTokens,
      maxTokens: outputTokens,
      blocks,
      priority: this.#priority(),
      sessionId: s.id,
    };
    s.contentTokens = promptTokens + outputTokens;
    s.turnsLeft--;
    if (s.turnsLeft > 0 && s.contentTokens + spec.prompt.min < ss.maxContextTokens) {
      s.nextArrivalMs += exponential(rng, ss.thinkTimeS * 1000);
      heapPush(this.#sessions, s);
    }
    return req;
  }
}

function before(a: Session, b: Session): boolean {
  return a.nextArrivalMs < b.nextArrivalMs || (a.nextArrivalMs === b.nextArrivalMs && a.id < b.id);
}

function heapPush(h: Session[], s: Session): void {
  let i = h.length;
  h.push(s);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!before(s, h[p])) break;
    h[i] = h[p];
    i = p;
  }
  h[i] = s;
}

function heapPop(h: Session[]): Session | undefined {
  if (h.length === 0) return undefined;
  const top = h[0];
  const last = h.pop()!;
  if (h.length > 0) {
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= h.length) break;
      if (c + 1 < h.length && before(h[c + 1], h[c])) c++;
      if (!before(h[c], last)) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = last;
  }
  return top;
}
