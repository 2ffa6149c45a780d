import { deepEqual, throws } from "node:assert/strict";
import { Command } from "npm:commander@15.1.0";
import { UsageError } from "../../core/errors.ts";
import { addFleetOptions, fleetFlagsFromOpts } from "./fleet.ts";

const DEFAULTS = { model: "llama3-8b-h100", prefillGpus: 4, decodeGpus: 4 };

function parse(args: string[]) {
  const cmd = addFleetOptions(new Command("t"), DEFAULTS).exitOverride()
    .configureOutput({ writeErr: () => {} });
  cmd.parse(args, { from: "user" });
  return fleetFlagsFromOpts(cmd.opts());
}

Deno.test("fleet flags: defaults, values, and checks naming the flag", () => {
  deepEqual(parse([]), DEFAULTS);
  deepEqual(parse(["--prefill-gpus", "2", "--decode-gpus", "3"]), {
    ...DEFAULTS,
    prefillGpus: 2,
    decodeGpus: 3,
  });
  throws(
    () => parse(["--model", "nope"]),
    (e: Error) => e instanceof UsageError && e.flag === "--model" && /got 'nope'$/.test(e.message),
  );
  throws(
    () => parse(["--prefill-gpus", "0"]),
    (e: Error) =>
      e instanceof UsageError &&
      e.message === "Invalid value for --prefill-gpus: expected at least 1 prefill GPU, got 0",
  );
  throws(() => parse(["--decode-gpus", "0"]), /expected a positive integer, got '0'/);
});

Deno.test("fleet flags: a TP preset takes whole tensor-parallel groups of GPUs", () => {
  const tp4 = ["--model", "llama3-70b-h100-tp4"];
  deepEqual(parse([...tp4, "--prefill-gpus", "8", "--decode-gpus", "4"]), {
    model: "llama3-70b-h100-tp4",
    prefillGpus: 8,
    decodeGpus: 4,
  });
  throws(
    () => parse([...tp4, "--prefill-gpus", "4", "--decode-gpus", "6"]),
    (e: Error) =>
      e instanceof UsageError && e.flag === "--decode-gpus" &&
      /expected a multiple of 4 \(llama3-70b-h100-tp4 runs one worker per 4 GPUs\), got 6$/
        .test(e.message),
  );
});
