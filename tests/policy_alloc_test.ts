// The routing hot path allocates nothing: tests/_alloc_probe.ts routes 300k requests
// through every built-in policy and the example user policy between two forced full
// collections, with a 1 MB young generation and V8's GC trace on. Allocating even 16
// bytes per route (one boxed double) fills the young generation about five times, so
// shows up as scavenges between the markers; at most one stray collection per window
// is tolerated (the JIT may allocate once). A deliberately allocating control policy
// must show several, or the check itself is broken.
import { deepEqual, ok } from "node:assert/strict";
import { policyNames } from "../src/policy/registry.ts";

Deno.test("policies: route and rebalance allocate nothing after warm-up", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--v8-flags=--expose-gc,--trace-gc,--max-semi-space-size=1,--min-semi-space-size=1," +
      "--no-concurrent-recompilation",
      "--allow-read",
      "tests/_alloc_probe.ts",
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  ok(out.success, stderr);
  const names = /POLICIES (\S+)/.exec(stderr)?.[1].split(",") ?? [];
  deepEqual(names, [...policyNames(), "prefix-then-load", "control-allocates"]);
  const collections: number[] = [];
  let marks = 0, inside = false, count = 0;
  for (const line of stdout.split("\n")) {
    if (line.includes("testing")) {
      marks++;
      inside = marks % 2 === 1;
      if (inside) count = 0;
      else collections.push(count);
    } else if (inside && /Scavenge|Mark-Compact|Mark-Sweep/.test(line)) count++;
  }
  deepEqual(collections.length, names.length, "one measured window per policy");
  const control = collections.pop()!;
  ok(control > 2, `the allocating control policy triggered only ${control} collections`);
  const report = names.slice(0, -1).map((n, i) => `${n}: ${collections[i]}`).join(", ");
  ok(collections.every((c) => c <= 1), `collections during 300k routes: ${report}`);
});
