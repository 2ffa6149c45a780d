/**
 * Paths as a user means them: `deno task` runs a command in the repository root, and
 * every path the user gives resolves against the directory they typed it in
 * (`INIT_CWD`), while the recorded configuration keeps the path as given.
 */

import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";

const ROOT = new URL("../", import.meta.url).pathname;

/** `deno task --config <repo>/deno.json TASK ARGS` run from `cwd`, as a user would. */
async function task(cwd: string, name: string, args: string[]) {
  // A clean environment: `deno task` sets INIT_CWD only when it is not set already.
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const k of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const v = Deno.env.get(k);
    if (v !== undefined) env[k] = v;
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "--config", join(ROOT, "deno.json"), name, ...args],
    cwd,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("relative --trace, --policy, --out and report paths resolve where the user ran the task", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "pdrouter-paths-" });
  const name = `out-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await Deno.copyFile(
      join(ROOT, "src/workload/testdata/traces/burstgpt_small.csv"),
      join(cwd, "small.csv"),
    );
    // A self-contained policy module (no imports, so it runs from any folder).
    await Deno.writeTextFile(
      join(cwd, "first_last.js"),
      "export default () => ({ name: 'first-last', prepare() {}, " +
        "route(s, _r, out) { out.prefill = 0; out.decode = s.n - 1; out.reason = 1; } });\n",
    );
    const sim = await task(cwd, "sim", [
      "--trace",
      "small.csv",
      "--policies",
      "round-robin",
      "--policy",
      "./first_last.js",
      "--out",
      name,
      "--json",
    ]);
    equal(sim.code, 0, sim.stderr);
    const out = join(cwd, name);
    ok(exists(join(out, "report.html")), `no report in ${out}: ${sim.stderr}`);
    ok(!exists(join(ROOT, name)), `wrote into the repository: ${join(ROOT, name)}`);
    ok(sim.stderr.includes(out), `the message names where files went: ${sim.stderr}`);
    const json = JSON.parse(sim.stdout);
    equal(json.config.trace.path, "small.csv", "the config keeps the path as given");
    deepEqual(json.config.policies, ["round-robin", "first-last"]);

    await Deno.remove(join(out, "report.html"));
    const report = await task(cwd, "report", [name]);
    equal(report.code, 0, report.stderr);
    ok(exists(join(out, "report.html")), "report rebuilt where the user pointed");
  } finally {
    await Deno.remove(cwd, { recursive: true });
    await Deno.remove(join(ROOT, name), { recursive: true }).catch(() => {});
  }
});
