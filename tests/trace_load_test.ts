// `deno task sim --trace PATH --load F`: the trace's capacity on the fleet is estimated
// and the replay's rate-scale set to F × that; the chosen rate-scale reproduces the run.
import { deepEqual, equal, ok } from "node:assert/strict";
import { runTask } from "./_cli.ts";

const TRACE = "src/workload/testdata/traces/mooncake_small.jsonl";
const FLEET = ["--prefill-gpus", "1", "--decode-gpus", "1", "--policies", "round-robin"];

Deno.test("sim --trace --load: replays at load × the estimated capacity, reproducibly", async () => {
  const r = await runTask("sim", ["--trace", TRACE, ...FLEET, "--load", "0.8", "--json"]);
  equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const cap = out.capacity.capacityRps;
  ok(cap > 0, `capacity ${cap}`);
  // The rate-scale is printed with 4 significant digits: within 0.05% of the target.
  const offered = out.config.trace.offeredRatePerS;
  ok(Math.abs(offered / (0.8 * cap) - 1) < 5e-4, `offered ${offered} vs 0.8 × ${cap}`);
  const again = await runTask("sim", [
    "--trace",
    TRACE,
    ...FLEET,
    "--rate-scale",
    String(out.config.trace.rateScale),
    "--json",
  ]);
  equal(again.code, 0, again.stderr);
  deepEqual(JSON.parse(again.stdout).results, out.results);
  const text = await runTask("sim", ["--trace", TRACE, ...FLEET, "--load", "0.8"]);
  ok(
    text.stdout.startsWith(`load 0.8 × estimated capacity ${cap.toFixed(1)} req/s`),
    text.stdout,
  );
  ok(text.stdout.includes(`rate-scale ${out.config.trace.rateScale},`), text.stdout);
});

Deno.test("sim --trace --load: conflicts and unscalable traces exit 2 naming --load", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const instant = dir + "/instant.csv";
    await Deno.writeTextFile(
      instant,
      "arrived_at,num_prefill_tokens,num_decode_tokens\n5,100,10\n5,200,10\n",
    );
    const runs = await Promise.all([
      runTask("sim", ["--trace", TRACE, ...FLEET, "--load", "0.7", "--rate-scale", "2"]),
      runTask("sim", ["--trace", instant, ...FLEET, "--load", "0.7"]),
    ]);
    for (const r of runs) {
      equal(r.code, 2, r.stderr);
      ok(r.stderr.startsWith("error: Invalid value for --load:"), r.stderr);
      equal(r.stdout, "");
    }
    ok(runs[0].stderr.includes("--rate-scale"), runs[0].stderr);
    ok(runs[1].stderr.includes("arrive at one instant"), runs[1].stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
