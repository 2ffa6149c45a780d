// A script outside the repository imports the package by path with plain `deno run`
// (no --config, no import map): the root mod.ts for a small comparison, and the
// ./policy export alone for a routing decision.
import { equal, ok } from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

Deno.test("a script in a temp directory imports mod.ts and src/policy/mod.ts by path", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pdrouter-outside-" });
  try {
    const script = `${dir}/use.ts`;
    await Deno.writeTextFile(
      script,
      `import { comparePolicies, DEFAULT_SCENARIO } from ${
        JSON.stringify(new URL("mod.ts", ROOT).href)
      };
import { createPolicy, createDecision, policyNames } from ${
        JSON.stringify(new URL("src/policy/mod.ts", ROOT).href)
      };
const report = await comparePolicies({ ...DEFAULT_SCENARIO, requests: 60 });
const p = createPolicy("round-robin", {}, {
  random: () => 0, sloTtftMs: 500, sloTpotMs: 30, prefillMsPerToken: 0.03,
});
console.log(JSON.stringify({
  policies: report.results.map((r) => r.policy),
  completed: report.results.map((r) => r.completed),
  builtIns: policyNames().length,
  name: p.name,
  decision: Object.keys(createDecision()).sort(),
}));
`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--allow-read", script],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    equal(out.code, 0, stderr);
    const got = JSON.parse(new TextDecoder().decode(out.stdout));
    equal(got.policies.join(","), "round-robin,telemetry");
    equal(got.completed.join(","), "60,60");
    ok(got.builtIns >= 8);
    equal(got.name, "round-robin");
    equal(got.decision.join(","), "decode,prefill,reason");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
