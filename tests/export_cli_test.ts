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
