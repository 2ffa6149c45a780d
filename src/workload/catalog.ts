/**
 * Named synthetic workloads: the shapes a user picks with `--workload NAME`.
 * Each is a {@linkcode SyntheticSpec} template; count, rate and seed come from flags.
 *
 * @module
 */

import type { SyntheticSpec } from "./synthetic.ts";

/** Parameters every named workload takes. */
export interface WorkloadParams {
  /** Requests to generate. */
  readonly requests: number;
  /** Mean arrival rate, requests per second (0: the workload's default). */
  readonly ratePerS: number;
  /** Seed. */
  readonly seed: number;
}

/** What distinguishes one named workload: arrivals, lengths, sharing. */
export type WorkloadShape = Omit<
  SyntheticSpec,
  "name" | "requests" | "ratePerS" | "seed" | "blockTokens"
>;

/** A named workload: a description, a default rate and a spec builder. */
export interface WorkloadTemplate {
  /** Name used by `--workload`. */
  readonly name: string;
  /** One line for `--help`. */
  readonly description: string;
  /** Rate used when the user gives none, requests per second. */
  readonly defaultRatePerS: number;
  /** Arrivals, lengths and sharing. */
  readonly shape: WorkloadShape;
  /** Builds the spec. */
  build(params: WorkloadParams): SyntheticSpec;
}

type TemplateData = Omit<WorkloadTemplate, "build">;

function template(data: TemplateData): WorkloadTemplate {
  return {
    ...data,
    build: (p) => ({
      name: data.name,
      requests: p.requests,
      ratePerS: p.ratePerS,
      seed: p.seed,
      blockTokens: BLOCK_TOKENS,
      ...data.shape,
    }),
  };
}

const BLOCK_TOKENS = 64;

const templates: readonly WorkloadTemplate[] = ([
  {
    name: "chat",
    description:
      "Multi-turn chat sessions sharing 8 system prompts, bursty session starts (Gamma, CV 2), " +
      "heavy-tailed messages",
    defaultRatePerS: 40,
    shape: {
      arrival: { kind: "gamma", cv: 2 },
      prompt: { kind: "lognormal", median: 400, sigma: 1.2, min: 16, max: 16_384 },
      output: { kind: "lognormal", median: 180, sigma: 0.8, min: 4, max: 1500 },
      sessions: {
        systemPrompts: 8,
        systemTokens: { kind: "uniform", min: 500, max: 2000 },
        meanTurns: 3,
        thinkTimeS: 5,
        maxContextTokens: 32_768,
      },
    },
  },
  {
    name: "poisson",
    description: "Single-turn Poisson arrivals, log-normal prompts (median 1024) and outputs",
    defaultRatePerS: 40,
    shape: {
      arrival: { kind: "poisson" },
      prompt: { kind: "lognormal", median: 1024, sigma: 1.0, min: 16, max: 32_768 },
      output: { kind: "lognormal", median: 200, sigma: 0.8, min: 1, max: 2048 },
    },
  },
  {
    name: "bursty",
    description: "As poisson, with Gamma inter-arrivals of CV 3 (bursts and lulls)",
    defaultRatePerS: 40,
    shape: {
      arrival: { kind: "gamma", cv: 3 },
      prompt: { kind: "lognormal", median: 1024, sigma: 1.0, min: 16, max: 32_768 },
      output: { kind: "lognormal", median: 200, sigma: 0.8, min: 1, max: 2048 },
    },
  },
  {
    name: "seed-lab",
    description:
      "The original lab's scenario: ~30 req/s Poisson, prompts 100–1200, outputs 32–256 " +
      "(run it on 2 prefill + 2 decode GPUs)",
    defaultRatePerS: 30,
    shape: {
      arrival: { kind: "poisson" },
      prompt: { kind: "uniform", min: 100, max: 1200 },
      output: { kind: "uniform", min: 32, max: 256 },
    },
  },
  {
    name: "skewed",
    description: "Decode-heavy and skewed: most outputs short, a heavy tail of very long ones " +
      "(decode imbalance; migrations appear with a low margin, e.g. " +
      "--set telemetry.migrationMargin=0.08)",
    defaultRatePerS: 20,
    shape: {
      arrival: { kind: "gamma", cv: 2 },
      prompt: { kind: "lognormal", median: 2048, sigma: 0.8, min: 64, max: 16_384 },
      output: { kind: "lognormal", median: 200, sigma: 1.4, min: 2, max: 8192 },
    },
  },
  {
    name: "shared-prefix",
    description:
      "Single-turn requests, 70% of which start with one of 16 shared 2k-token prefixes " +
      "(RAG / agents)",
    defaultRatePerS: 40,
    shape: {
      arrival: { kind: "poisson" },
      prompt: { kind: "lognormal", median: 512, sigma: 1.0, min: 16, max: 16_384 },
      output: { kind: "lognormal", median: 150, sigma: 0.8, min: 1, max: 2048 },
      sharedPrefix: {
        prompts: 16,
        tokens: { kind: "uniform", min: 1024, max: 3072 },
        probability: 0.7,
      },
    },
  },
] satisfies TemplateData[]).map(template);

/** All named workloads. */
export function workloadTemplates(): readonly WorkloadTemplate[] {
  return templates;
}

/**
 * Looks a named workload up.
 *
 * @throws {RangeError} When no workload has that name.
 */
export function workloadTemplate(name: string): WorkloadTemplate {
  const t = templates.find((x) => x.name === name);
  if (!t) {
    throw new RangeError(
      `Unknown workload '${name}' (known: ${templates.map((x) => x.name).join(", ")})`,
    );
  }
  return t;
}
