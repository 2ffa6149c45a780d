import { equal, ok } from "node:assert/strict";

const SCRIPT = new URL("./trace_memory.ts", import.meta.url).pathname;

Deno.test("bench:trace-memory rejects a bad flag with exit 2 and no stack trace", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "-A",
      SCRIPT,
      "--requests",
      "abc",
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  equal(out.code, 2, stderr);
  ok(stderr.includes("--requests"), stderr);
  ok(!stderr.includes("    at "), "no stack trace");
});
