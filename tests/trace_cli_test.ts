/**
 * The trace flags of `deno task sim` and `deno task trace:gen`, end to end: each test
 * runs the real entry script in a child `deno run` and checks exit codes and output.
 */

import { equal, ok } from "node:assert/strict";
import {
  expectedWhere,
  MALFORMED_CASES,
  TRACE_FIXTURES,
} from "../src/workload/testdata/trace_cases.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const SIM = ROOT + "tasks/sim.ts";
const TRACE_GEN = ROOT + "tasks/trace_gen.ts";
const MOONCAKE = ROOT + "data/traces/mooncake/conversation_trace.jsonl.gz";
const AZURE = ROOT + "data/traces/azure-llm-2023/AzureLLMInferenceTrace_conv.csv.gz";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(script: string, args: string[], perms = ["--allow-read", "--allow-env"]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...perms, script, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", INIT_CWD: ROOT },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) } as Run;
}

const sim = (args: string[]): Promise<Run> => run(SIM, args);

/** Small fleet, quick SLOs: every run below finishes in well under a second of simulation. */
const FLEET = ["--prefill-gpus", "2", "--decode-gpus", "2", "--policies", "round-robin"];

Deno.test("sim --trace: every malformed input exits 2 naming file, line and field", async () => {
  // Run the cases two at a time (each is a child process).
  const cases = [...MALFORMED_CASES];
  const results: [typeof cases[number], Run][] = [];
  while (cases.length > 0) {
    const group = cases.splice(0, 2);
    const runs = await Promise.all(
      group.map((c) => sim(["--trace", TRACE_FIXTURES + "malformed/" + c.file, ...FLEET])),
    );
    group.forEach((c, i) => results.push([c, runs[i]]));
  }
  for (const [c, r] of results) {
    const path = TRACE_FIXTURES + "malformed/" + c.file;
    equal(r.code, 2, `${c.file}: exit ${r.code}, stderr ${r.stderr}`);
    ok(r.stderr.startsWith("error: " + expectedWhere(path, c)), `${c.file}: ${r.stderr}`);
    ok(c.detail.test(r.stderr), `${c.file}: ${r.stderr}`);
    equal(r.stdout, "", `${c.file}: nothing on stdout`);
  }
});

Deno.test("sim --trace --skip-bad: skips, reports the count on stderr and in --json", async () => {
  const path = TRACE_FIXTURES + "malformed/mooncake_backwards.jsonl";
  const r = await sim(["--trace", path, ...FLEET, "--skip-bad", "--json"]);
  equal(r.code, 0, r.stderr);
  ok(/3 requests replayed from 4 rows; 1 malformed rows skipped/.test(r.stderr), r.stderr);
  ok(r.stderr.includes(`(first: ${path}:3: field 'timestamp' goes backwards`), r.stderr);
  const out = JSON.parse(r.stdout);
  equal(out.config.trace.skipped, 1);
  equal(out.config.trace.requests, 3);
  equal(out.config.trace.rows, 4);
  equal(out.config.trace.format, "mooncake");
  equal(out.results[0].completed, 3);
});

Deno.test("sim --trace: BurstGPT zero-response rows are skipped and counted", async () => {
  const r = await sim(["--trace", TRACE_FIXTURES + "burstgpt_small.csv", ...FLEET, "--json"]);
  equal(r.code, 0, r.stderr);
  ok(/2 rows with 0 output tokens \(failed requests\) skipped/.test(r.stderr), r.stderr);
  const out = JSON.parse(r.stdout);
  equal(out.config.trace.skippedZeroOutput, 2);
  equal(out.results[0].completed, 4);
});

Deno.test("sim --trace: flag conflicts exit 2 naming the flag", async () => {
  const trace = TRACE_FIXTURES + "mooncake_small.jsonl";
  const cases: [string[], string][] = [
    [["--trace", trace, "--workload", "chat"], "--workload"],
    [["--trace", trace, "--requests", "10"], "--requests"],
    [["--trace", trace, "--rate", "5"], "--rate"],
    [["--rate-scale", "2"], "--rate-scale"],
    [["--skip-bad"], "--skip-bad"],
    [["--trace", trace, "--start", "3600"], "--start"],
    [["--trace", trace, "--rate-scale", "0"], "--rate-scale"],
    [["--trace", trace, "--trace-format", "csv"], "--trace-format"],
    [["--trace", trace, "--trace-format", "azure"], "TIMESTAMP"],
  ];
  const runs = await Promise.all(cases.map(([args]) => sim([...args, ...FLEET])));
  cases.forEach(([args, flag], i) => {
    equal(runs[i].code, 2, `${args.join(" ")}: ${runs[i].stderr}`);
    ok(runs[i].stderr.includes(flag), `${args.join(" ")}: ${runs[i].stderr}`);
  });
});

Deno.test("sim --trace: --rate-scale 2 doubles the offered rate of the same requests", async () => {
  const trace = TRACE_FIXTURES + "vidur_small.csv";
  const [a, b] = await Promise.all([
    sim(["--trace", trace, ...FLEET, "--json"]),
    sim(["--trace", trace, ...FLEET, "--json", "--rate-scale", "2"]),
  ]);
  equal(a.code, 0, a.stderr);
  equal(b.code, 0, b.stderr);
  const ta = JSON.parse(a.stdout).config.trace, tb = JSON.parse(b.stdout).config.trace;
  equal(ta.requests, 4);
  equal(tb.requests, 4);
  equal(tb.offeredRatePerS, 2 * ta.offeredRatePerS);
});

Deno.test("sim --trace: the shipped Mooncake and Azure traces replay (gzip, first 300 requests)", async () => {
  const [m, a] = await Promise.all([
    sim(["--trace", MOONCAKE, "--limit", "300", ...FLEET, "--json"]),
    sim(["--trace", AZURE, "--limit", "300", ...FLEET, "--json"]),
  ]);
  equal(m.code, 0, m.stderr);
  equal(a.code, 0, a.stderr);
  const mo = JSON.parse(m.stdout), ao = JSON.parse(a.stdout);
  equal(mo.config.trace.format, "mooncake");
  equal(mo.config.trace.requests, 300);
  equal(mo.results[0].completed + mo.results[0].shed, 300);
  ok(mo.results[0].prefixHitRate > 0, "Mooncake hash ids must give prefix-cache hits");
  equal(ao.config.trace.format, "azure");
  equal(ao.results[0].completed + ao.results[0].shed, 300);
  equal(ao.results[0].prefixHitRate, 0, "Azure has no block ids: no false sharing");
});

Deno.test("trace:gen writes a trace that sim replays; --help exits 0", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = dir + "/gen.jsonl.gz";
    const perms = ["--allow-read", "--allow-write", "--allow-env"];
    const g = await run(
      TRACE_GEN,
      ["--requests", "500", "--prefix-ratio", "0.7", "--out", path],
      perms,
    );
    equal(g.code, 0, g.stderr);
    ok(g.stderr.includes("wrote 500 requests"), g.stderr);
    const r = await sim(["--trace", path, ...FLEET, "--json"]);
    equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    equal(out.config.trace.requests, 500);
    ok(out.results[0].prefixHitRate > 0.2, `hit rate ${out.results[0].prefixHitRate}`);
    const h = await run(TRACE_GEN, ["--help"], perms);
    equal(h.code, 0);
    ok(h.stdout.includes("--prefix-ratio"));
    const bad = await run(TRACE_GEN, ["--prefix-ratio", "2"], perms);
    equal(bad.code, 2);
    ok(bad.stderr.includes("--prefix-ratio"), bad.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sim --trace: a length-only trace takes its arrival rate from --rate", async () => {
  const trace = TRACE_FIXTURES + "lengths_small.csv";
  const r = await sim(["--trace", trace, ...FLEET, "--json", "--rate", "5", "--seed", "3"]);
  equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  equal(out.config.trace.format, "lengths");
  equal(out.config.ratePerS, 5);
  equal(out.config.seed, 3);
  equal(out.results[0].completed, 4);
});
