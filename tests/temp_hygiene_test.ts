/**
 * Tests clean up after themselves: test files that make temporary folders run here with
 * TMPDIR pointing at an empty folder, which must be empty again when they end.
 */

import { deepEqual, equal } from "node:assert/strict";

/** Test files that create temporary folders (each is fast). */
const FILES = ["src/cli/bench_command_test.ts", "src/report/run_writer_test.ts"];

Deno.test("test files leave no temporary folders behind", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "pdrouter-hygiene-" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["test", "--quiet", "--no-check", "-A", ...FILES],
      cwd: new URL("../", import.meta.url).pathname,
      env: { NO_COLOR: "1", TMPDIR: tmp },
      stdout: "piped",
      stderr: "piped",
    }).output();
    equal(out.code, 0, new TextDecoder().decode(out.stderr));
    deepEqual([...Deno.readDirSync(tmp)].map((e) => e.name), [], `left in ${tmp}`);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
