/**
 * Progress is drawn on stderr when stderr is a terminal, whatever stdout is: run under
 * `script` (util-linux), which gives the command a pseudo-terminal, with stdout
 * redirected to a file.
 */

import { equal, ok } from "node:assert/strict";
import { join } from "node:path";

const SCRIPT = "/usr/bin/script";
const SIM = new URL("../tasks/sim.ts", import.meta.url).pathname;

function hasScript(): boolean {
  try {
    return Deno.statSync(SCRIPT).isFile;
  } catch {
    return false;
  }
}

const present = hasScript();
if (!present) console.warn(`SKIPPING the progress test: ${SCRIPT} (util-linux) is absent`);

function quote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

Deno.test({
  name: "sim --json > file on a terminal: progress on stderr, stdout one JSON object",
  ignore: !present,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pdrouter-progress-" });
    try {
      const json = join(dir, "out.json");
      const inner = [Deno.execPath(), "run", "--quiet", "--allow-read", "--allow-env", SIM]
        .map(quote).join(" ") + ` --requests 3000 --json > ${quote(json)}`;
      const out = await new Deno.Command(SCRIPT, {
        args: ["-qec", inner, "/dev/null"],
        env: { NO_COLOR: "1", INIT_CWD: Deno.cwd() },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const terminal = new TextDecoder().decode(out.stdout);
      equal(out.code, 0, terminal + new TextDecoder().decode(out.stderr));
      ok(/\[round-robin\] \d+\/3000 requests · simulated/.test(terminal), terminal);
      ok(/\[telemetry\] \d+\/3000 requests/.test(terminal), terminal);
      const printed = JSON.parse(await Deno.readTextFile(json));
      equal(printed.results.length, 2, "stdout holds the JSON object alone");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
