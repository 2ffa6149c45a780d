// `deno task compare`: markdown tables for every policy on the default synthetic
// scenario and both traces; each run's printed command reproduces its numbers.
import { equal, ok } from "node:assert/strict";
import { runTask } from "./_cli.ts";
import { policyNames } from "../src/policy/registry.ts";

const PERMS = ["--allow-read", "--allow-write", "--allow-env"];

/** The table rows of the run titled `title`: policy → cells. */
function table(md: string, title: string): Map<string, string[]> {
  const start = md.indexOf(`**${title}**`);
  ok(start >= 0, `no run '${title}' in:\n${md}`);
  const rows = new Map<string, string[]>();
  const lines = md.slice(start).split("\n");
  const head = lines.findIndex((l) => l.startsWith("| policy "));
  for (const line of lines.slice(head + 2)) {
    if (!line.startsWith("| ")) break;
    const cells = line.slice(2, -2).split(" | ").map((c) => c.replaceAll("**", "").trim());
    rows.set(cells[0], cells.slice(1));
  }
  return rows;
}

/** The printed command below the run titled `title`, as arguments after `deno task sim`. */
function command(md: string, title: string): string[] {
  const rest = md.slice(md.indexOf(`**${title}**`));
  const m = /```sh\ndeno task sim (.+)\n```/.exec(rest);
  ok(m, rest);
  return m[1].split(" ");
}

Deno.test("compare: a table per run with every policy; the printed commands reproduce them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = dir + "/results.md";
    const args = ["--requests", "300", "--trace-limit", "400", "--loads", "0.7", "--out", out];
    const r = await runTask("compare", args, PERMS);
    equal(r.code, 0, r.stderr);
    equal(r.stdout, "");
    const md = await Deno.readTextFile(out);
    const titles = ["Default synthetic (chat), 70%", "Mooncake conversation, 70%"];
    titles.push("Azure conv 2023, 70%");
    for (const title of titles) {
      const rows = table(md, title);
      equal([...rows.keys()].join(","), policyNames().join(","), title);
      const sim = await runTask("sim", [...command(md, title), "--json"]);
      equal(sim.code, 0, sim.stderr);
      for (const s of JSON.parse(sim.stdout).results) {
        const cells = rows.get(s.policy)!;
        equal(cells[1], s.ttftMs.p99.toFixed(0), `${title} ${s.policy} p99`);
        equal(cells[4], s.goodputRps.toFixed(2), `${title} ${s.policy} goodput`);
      }
    }
    ok(/\| run +\| best p99 TTFT ms +\| best goodput req\/s +\|/.test(md), md);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("compare: bad flags exit 2 naming the flag; --help exits 0", async () => {
  const [loads, outDir, help] = await Promise.all([
    runTask("compare", ["--loads", "0.7,0"], PERMS),
    runTask("compare", [
      "--requests",
      "50",
      "--trace-limit",
      "50",
      "--loads",
      "0.5",
      "--out",
      "/nonexistent-dir/x.md",
    ], PERMS),
    runTask("compare", ["--help"], PERMS),
  ]);
  equal(loads.code, 2);
  ok(loads.stderr.includes("--loads"), loads.stderr);
  equal(outDir.code, 2);
  ok(outDir.stderr.includes("--out"), outDir.stderr);
  equal(help.code, 0);
  ok(help.stdout.includes("--trace-limit"), help.stdout);
});

Deno.test("compare: --policies, --policy PATH and --set reach the runs and their commands", async () => {
  const r = await runTask("compare", [
    "--requests",
    "200",
    "--trace-limit",
    "200",
    "--loads",
    "0.7",
    "--policies",
    "round-robin,telemetry",
    "--policy",
    "./examples/prefix_then_load.ts",
    "--set",
    "prefix-then-load.maxWaitMs=50",
  ], PERMS);
  equal(r.code, 0, r.stderr);
  const title = "Default synthetic (chat), 70%";
  const rows = table(r.stdout, title);
  equal([...rows.keys()].join(","), "round-robin,telemetry,prefix-then-load");
  const args = command(r.stdout, title);
  ok(args.join(" ").startsWith("--policies round-robin,telemetry --policy "), args.join(" "));
  const sim = await runTask("sim", [...args, "--json"]);
  equal(sim.code, 0, sim.stderr);
  const report = JSON.parse(sim.stdout);
  equal(JSON.stringify(report.config.policyConfig), '{"prefix-then-load":{"maxWaitMs":50}}');
  for (const s of report.results) {
    equal(rows.get(s.policy)![1], s.ttftMs.p99.toFixed(0), `${s.policy} p99`);
  }
});

Deno.test("compare: bad policy flags exit 2 naming the flag", async () => {
  const runs = await Promise.all([
    runTask("compare", ["--policies", "nope"], PERMS),
    runTask("compare", ["--policy", "./tests/testdata/not_a_policy.ts"], PERMS),
    runTask("compare", ["--policies", "llm-d", "--set", "telemetry.waitWeight=1"], PERMS),
  ]);
  for (const [i, flag] of ["--policies", "--policy", "--set"].entries()) {
    equal(runs[i].code, 2, runs[i].stderr);
    ok(runs[i].stderr.includes(flag), runs[i].stderr);
  }
});
