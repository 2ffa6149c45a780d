import { deepEqual, equal, throws } from "node:assert/strict";
import { Command } from "npm:commander@15.1.0";
import { UsageError } from "../../core/errors.ts";
import { workloadTemplate } from "../../workload/catalog.ts";
import { addWorkloadOptions, checkWorkloads, workloadFlagsFromOpts } from "./workload.ts";

const DEFAULTS = { workload: "chat", requests: 100, seed: 1 };

function parse(args: string[]) {
  const cmd = addWorkloadOptions(new Command("t"), DEFAULTS).exitOverride();
  cmd.parse(args, { from: "user" });
  return workloadFlagsFromOpts(cmd.opts());
}

Deno.test("workload flags: the workload's own rate unless --rate, and checks", () => {
  deepEqual(parse([]), {
    workload: "chat",
    requests: 100,
    ratePerS: workloadTemplate("chat").defaultRatePerS,
    rateGiven: false,
    seed: 1,
  });
  const w = parse(["--workload", "bursty", "--rate", "7.5", "--seed", "-3"]);
  equal(w.ratePerS, 7.5);
  equal(w.rateGiven, true);
  equal(w.seed, -3);
  throws(
    () => parse(["--workload", "nope"]),
    (e: Error) =>
      e instanceof UsageError && e.flag === "--workload" &&
      /^Invalid value for --workload: expected a workload \(.*chat.*\), got 'nope'$/.test(
        e.message,
      ),
  );
  throws(() => checkWorkloads(["chat", "nope"], "--workloads"), /--workloads: .*got 'nope'/);
});

Deno.test("workload flags: a command takes only the ones it names", () => {
  const cmd = addWorkloadOptions(new Command("t"), DEFAULTS, ["requests"]);
  deepEqual(cmd.options.map((o) => o.long), ["--requests"]);
});
