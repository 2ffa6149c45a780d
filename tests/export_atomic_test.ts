/**
 * An export folder holds one whole run: an interrupted `sim --out` leaves the folder as
 * it was (and nothing beside it), and `report` refuses a folder that mixes two runs.
 */

import { equal, ok } from "node:assert/strict";
import { join } from "node:path";

const SIM = new URL("../tasks/sim.ts", import.meta.url).pathname;
const REPORT = new URL("../tasks/report.ts", import.meta.url).pathname;
const PERMS = ["--allow-read", "--allow-env", "--allow-write"];
const ENV = { NO_COLOR: "1", INIT_CWD: Deno.cwd() };

async function run(script: string, args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...PERMS, script, ...args],
    env: ENV,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function entries(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("an interrupted sim --out leaves the folder as the last complete run left it", async () => {
  const parent = await Deno.makeTempDir({ prefix: "pdrouter-atomic-" });
  const dir = join(parent, "d");
  try {
    const first = await run(SIM, ["--requests", "300", "--out", dir]);
    equal(first.code, 0, first.stderr);
    const before = await Deno.readTextFile(join(dir, "requests.csv"));

    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", ...PERMS, SIM, "--requests", "3000000", "--out", dir],
      env: ENV,
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let interrupted = false;
    try {
      // Wait until the second run writes (its staged folder beside d), then press Ctrl-C.
      for (let i = 0; i < 400 && !interrupted; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const staged = (await entries(parent)).find((n) => n.startsWith(".d.partial-"));
        if (staged && (await entries(join(parent, staged))).includes("requests.csv")) {
          await new Promise((r) => setTimeout(r, 300));
          child.kill("SIGINT");
          interrupted = true;
        }
      }
    } finally {
      if (!interrupted) child.kill("SIGKILL");
      const status = await child.status;
      await child.stderr.cancel();
      ok(interrupted, "the second run never started writing");
      equal(status.code, 130, "Ctrl-C exits 130");
    }
    equal(await Deno.readTextFile(join(dir, "requests.csv")), before, "d still holds run 1");
    equal((await entries(parent)).join(), "d", "nothing left beside d");
    const report = await run(REPORT, [dir]);
    equal(report.code, 0, report.stderr);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("report refuses a folder mixing two runs, and one that holds other files", async () => {
  const parent = await Deno.makeTempDir({ prefix: "pdrouter-mixed-" });
  try {
    const a = join(parent, "a"), b = join(parent, "b");
    equal((await run(SIM, ["--requests", "200", "--out", a])).code, 0);
    equal((await run(SIM, ["--requests", "300", "--seed", "2", "--out", b])).code, 0);
    await Deno.copyFile(join(b, "timeseries.csv"), join(a, "timeseries.csv"));
    const mixed = await run(REPORT, [a]);
    equal(mixed.code, 2, mixed.stderr);
    ok(/timeseries\.csv: holds \d+ bytes, but .* mixes files of two runs/.test(mixed.stderr));

    // Without the recorded sizes (an older export), the request counts still tell.
    const summary = JSON.parse(await Deno.readTextFile(join(b, "summary.json")));
    delete summary.bytes;
    await Deno.writeTextFile(join(b, "summary.json"), JSON.stringify(summary));
    await Deno.copyFile(join(a, "requests.csv"), join(b, "requests.csv"));
    const old = await run(REPORT, [b]);
    equal(old.code, 2, old.stderr);
    ok(/requests\.csv: has 200 rows of policy 'round-robin', but .* counts 300/.test(old.stderr));

    // An export never replaces a folder holding anything but an export.
    const mine = join(parent, "mine");
    await Deno.mkdir(mine);
    await Deno.writeTextFile(join(mine, "notes.txt"), "keep me");
    const refused = await run(SIM, ["--requests", "20", "--out", mine]);
    equal(refused.code, 2, refused.stderr);
    ok(/--out: .*'notes\.txt'/.test(refused.stderr), refused.stderr);
    equal((await entries(mine)).join(), "notes.txt");
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});
