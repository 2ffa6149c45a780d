/**
 * The simulated fleet's flags (`--model`, `--prefill-gpus`, `--decode-gpus`): which
 * model/GPU timing preset, and how many GPUs the prefill-only and decode-only pools
 * have (one worker per tensor-parallel group of the preset's size). Shared by `sim`,
 * `sweep`, the bench targets and (to come) the engine emulator.
 *
 * @module
 */

import type { Command } from "npm:commander@15.1.0";
import { UsageError } from "../../core/errors.ts";
import { modelPreset, modelPresets } from "../../model/presets.ts";
import { nonNegativeInt, positiveInt } from "./values.ts";

/**
 * Most GPUs a simulated fleet may have, prefill and decode together: a bound of this
 * simulator (its router index takes worker ids up to 2^21; at about 2.5 KB per worker,
 * 65536 workers take some 160 MB), checked before anything is allocated.
 */
export const MAX_FLEET_WORKERS = 65_536;

/** The fleet flags as parsed. */
export interface FleetFlags {
  /** Model/GPU timing preset name. */
  readonly model: string;
  /** GPUs of the prefill-only pool. */
  readonly prefillGpus: number;
  /** GPUs of the decode-only pool. */
  readonly decodeGpus: number;
}

/**
 * Adds `--model`, `--prefill-gpus` and `--decode-gpus` to `cmd`, with the command's
 * defaults, and returns it.
 *
 * @example
 * ```ts
 * import { Command } from "npm:commander@15.1.0";
 * import { addFleetOptions, fleetFlagsFromOpts } from "./fleet.ts";
 * const cmd = addFleetOptions(new Command("demo"), {
 *   model: "llama3-8b-h100", prefillGpus: 4, decodeGpus: 4,
 * });
 * cmd.parse(["--decode-gpus", "2"], { from: "user" });
 * if (fleetFlagsFromOpts(cmd.opts()).decodeGpus !== 2) throw new Error("not parsed");
 * ```
 */
export function addFleetOptions(cmd: Command, defaults: FleetFlags): Command {
  return cmd
    .option("--model <preset>", "model/GPU timing preset (see --list)", defaults.model)
    .option("--prefill-gpus <n>", "prefill pool size in GPUs", nonNegativeInt, defaults.prefillGpus)
    .option(
      "--decode-gpus <n>",
      `decode pool size in GPUs (prefill + decode: at most ${MAX_FLEET_WORKERS})`,
      positiveInt,
      defaults.decodeGpus,
    );
}

/**
 * The fleet flags of parsed `opts` (from {@linkcode addFleetOptions}), checked.
 *
 * @throws {UsageError} On an unknown model preset (naming `--model`), an empty
 *   prefill pool (naming `--prefill-gpus`), a pool that is not a whole number of the
 *   preset's tensor-parallel groups (naming the pool's flag), or more than
 *   {@linkcode MAX_FLEET_WORKERS} GPUs in all.
 */
export function fleetFlagsFromOpts(opts: Record<string, unknown>): FleetFlags {
  const model = String(opts.model);
  const known = modelPresets().map((m) => m.name);
  if (!known.includes(model)) {
    throw new UsageError(
      "--model",
      `expected a model preset (${known.join(", ")}), got '${model}'`,
    );
  }
  const prefillGpus = opts.prefillGpus as number;
  if (prefillGpus < 1) {
    throw new UsageError("--prefill-gpus", `expected at least 1 prefill GPU, got ${prefillGpus}`);
  }
  const decodeGpus = opts.decodeGpus as number;
  if (prefillGpus + decodeGpus > MAX_FLEET_WORKERS) {
    throw new UsageError(
      prefillGpus > MAX_FLEET_WORKERS / 2 ? "--prefill-gpus" : "--decode-gpus",
      `expected at most ${MAX_FLEET_WORKERS} GPUs in all (prefill + decode), got ` +
        `${prefillGpus} + ${decodeGpus}`,
    );
  }
  const tp = modelPreset(model).tensorParallel;
  const pools: [string, number][] = [
    ["--prefill-gpus", prefillGpus],
    ["--decode-gpus", decodeGpus],
  ];
  for (const [flag, gpus] of pools) {
    if (gpus % tp !== 0) {
      throw new UsageError(
        flag,
        `expected a multiple of ${tp} (${model} runs one worker per ${tp} GPUs), got ${gpus}`,
      );
    }
  }
  return { model, prefillGpus, decodeGpus };
}
