/**
 * Seeded pseudo-random numbers (xoshiro128**, seeded by splitmix32) and the few
 * distributions workloads need. Nothing here reads a global clock or `Math.random`.
 *
 * @module
 */

import type { RandomSource } from "./types.ts";

/**
 * A small, fast, seeded generator: xoshiro128** (Blackman and Vigna, 2018).
 * The same seed always yields the same sequence on every platform.
 *
 * @example Draw numbers
 * ```ts
 * import { Rng } from "./rng.ts";
 * const a = new Rng(42), b = new Rng(42);
 * if (a.next() !== b.next()) throw new Error("not deterministic");
 * ```
 */
export class Rng {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /**
   * Creates a generator from a seed.
   *
   * @param seed Any integer; equal seeds give equal sequences.
   * @throws {TypeError} When `seed` is not a finite number.
   */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) {
      throw new TypeError(`Cannot create Rng: 'seed' must be a finite number, got ${seed}`);
    }
    // splitmix32 expands the seed into four non-zero words.
    let x = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
    const mix = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#s0 = mix();
    this.#s1 = mix();
    this.#s2 = mix();
    this.#s3 = mix() | 1;
    // Discard a few draws so that small, close seeds decorrelate.
    for (let i = 0; i < 8; i++) this.nextUint32();
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const s0 = this.#s0, s1 = this.#s1, s2 = this.#s2, s3 = this.#s3;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.#s2 = s2 ^ s0;
    this.#s3 = s3 ^ s1;
    this.#s1 = s1 ^ this.#s2;
    this.#s0 = s0 ^ this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }

  /** Uniform number in `[0, 1)` with 32 bits of randomness. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in `[0, n)`. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** This generator as a plain {@linkcode RandomSource} function. */
  source(): RandomSource {
    return () => this.next();
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Exponential variate with the given mean. */
export function exponential(rng: RandomSource, mean: number): number {
  return -Math.log(1 - rng()) * mean;
}

/** Standard normal variate (Box-Muller, one draw of the pair is discarded for simplicity). */
export function standardNormal(rng: RandomSource): number {
  const u1 = 1 - rng();
  const u2 = rng();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * Gamma variate with `shape` k and `scale` θ (mean kθ), by Marsaglia and Tsang (2000),
 * with the `u^(1/k)` boost for k < 1.
 */
export function gamma(rng: RandomSource, shape: number, scale: number): number {
  if (shape < 1) {
    const u = rng();
    return gamma(rng, shape + 1, scale) * Math.pow(u === 0 ? Number.MIN_VALUE : u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = standardNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
  }
}

/** Log-normal variate with the given median and log-space standard deviation. */
export function logNormal(rng: RandomSource, median: number, sigma: number): number {
  return median * Math.exp(sigma * standardNormal(rng));
}
