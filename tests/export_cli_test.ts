/**
 * The `sim --out` and `report` commands as a user runs them: exit codes, messages that
 * name the flag or file, and `--json` agreeing with `summary.json`.
 */

import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";

const ROOT = new URL("../", import.meta.url).pathname;

async function run(task: "sim" | "report", args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-read",
      "--allow-env",
      "--allow-write",
      join(ROOT, "tasks", `${task}.ts`),
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", INIT_CWD: Deno.cwd() },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("sim --out --json: stdout stays one JSON object, equal to summary.json's", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await run("sim", ["--requests", "300", "--out", dir, "--sample-ms", "200", "--json"]);
    equal(r.code, 0, r.stderr);
    const printed = JSON.parse(r.stdout);
    const saved = JSON.parse(await Deno.readTextFile(join(dir, "summary.json")));
    deepEqual(saved.config, printed.config);
    deepEqual(saved.results, printed.results);
    equal(saved.sampleMs, 200);
    ok(typeof saved.versions.deno === "string" && typeof saved.versions.vega === "string");
    ok(r.stderr.includes("report.html"), r.stderr);
    for (const f of ["requests.csv", "timeseries.csv", "migrations.csv", "report.html"]) {
      await Deno.stat(join(dir, f));
    }
    const rebuilt = await run("report", [dir]);
    equal(rebuilt.code, 0, rebuilt.stderr);
    ok(rebuilt.stdout.includes(join(dir, "report.html")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bad export flags and report inputs exit 2 naming the flag or file", async () => {
  const file = await Deno.makeTempFile();
  const empty = await Deno.makeTempDir();
  try {
    const cases: ["sim" | "report", string[], RegExp][] = [
      ["sim", ["--sample-ms", "100"], /--sample-ms: needs --out/],
      ["sim", ["--out", join(file, "sub")], /--out: cannot create directory/],
      ["sim", ["--out", empty, "--sample-ms", "0"], /--sample-ms/],
      ["report", [empty], /summary\.json: does not exist/],
      ["report", [empty, file, "--labels", "one"], /--labels: expected 2 labels/],
      ["report", [], /missing required argument/],
    ];
    for (const [task, args, message] of cases) {
      const r = await run(task, args);
      equal(r.code, 2, `${task} ${args.join(" ")}: ${r.stderr}`);
      ok(message.test(r.stderr), `${task} ${args.join(" ")}: ${r.stderr}`);
    }
  } finally {
    await Deno.remove(file);
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("--help of sim and report documents the export", async () => {
  const sim = await run("sim", ["--help"]);
  equal(sim.code, 0);
  ok(sim.stdout.includes("--out <dir>") && sim.stdout.includes("--sample-ms <ms>"));
  const report = await run("report", ["--help"]);
  equal(report.code, 0);
  ok(report.stdout.includes("--labels <names>") && report.stdout.includes("<dirs...>"));
});

Deno.test("report names what differs between overlaid runs, and shows each command line", async () => {
  const parent = await Deno.makeTempDir();
  try {
    const a = join(parent, "a"), b = join(parent, "b");
    equal((await run("sim", ["--requests", "200", "--out", a])).code, 0);
    const bArgs = ["--requests", "200", "--workload", "bursty", "--prefill-gpus", "2", "--out", b];
    equal((await run("sim", bArgs)).code, 0);
    const r = await run("report", [a, b]);
    equal(r.code, 0, r.stderr);
    ok(r.stderr.includes("note: the runs differ in 3 settings"), r.stderr);
    ok(r.stderr.includes("  workload: a chat · b bursty"), r.stderr);
    ok(r.stderr.includes("  prefillGpus: a 4 · b 2"), r.stderr);
    const html = await Deno.readTextFile(join(parent, "overlay-a-b", "report.html"));
    ok(html.includes('id="differences"'), "the page lists the differences");
    ok(html.includes("<b>workload</b>: a <code>chat</code> · b <code>bursty</code>"));
    ok(html.includes(`<code>deno task sim ${bArgs.join(" ")}</code> · pdrouter `), "command");
    ok(/req\/s nominal \(\d+\.\d\d req\/s offered\)/.test(html), "offered rate in the lede");

    // One run: no notice, the command still shown.
    const one = await run("report", [a]);
    equal(one.code, 0, one.stderr);
    ok(!one.stderr.includes("differ"), one.stderr);
    const page = await Deno.readTextFile(join(a, "report.html"));
    ok(!page.includes('id="differences"'));
    ok(page.includes(`<code>deno task sim --requests 200 --out ${a}</code>`));
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});
