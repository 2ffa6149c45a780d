// `deno task emulate`'s command line: --help, and bad flags exit 2 naming the flag before
// anything starts; a max model length over the KV capacity is refused as vLLM refuses it.
import { equal, ok } from "node:assert/strict";
import { runTask } from "./_cli.ts";

const PERMS = ["--allow-net", "--allow-read", "--allow-write", "--allow-env"];

Deno.test("emulate --help lists vllm serve's flags and the emulator's", async () => {
  const r = await runTask("emulate", ["--help"], PERMS);
  equal(r.code, 0, r.stderr);
  for (
    const f of [
      "--kv-transfer-config",
      "--max-num-seqs",
      "--time-scale",
      "--metrics-names",
      "--request-log",
    ]
  ) {
    ok(r.stdout.includes(f), f);
  }
});

Deno.test("emulate: bad input exits 2 with a message naming the flag", async () => {
  const cases: [string[], RegExp][] = [
    [["--kv-transfer-config", "{oops"], /--kv-transfer-config: expected a JSON object/],
    [
      ["--kv-transfer-config", '{"kv_load_failure_policy":"retry"}'],
      /'fail' or 'recompute', got 'retry'/,
    ],
    [["--port", "-1"], /--port/],
    [["--preset", "nope"], /--preset/],
    [["--metrics-names", "all"], /--metrics-names/],
    [["--gpu-memory-utilization", "1.5"], /--gpu-memory-utilization/],
    [["serve", "a", "b"], /at most one MODEL, got 'a b'/],
  ];
  for (const [args, message] of cases) {
    const r = await runTask("emulate", args, PERMS);
    equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    ok(message.test(r.stderr), `${args.join(" ")}: ${r.stderr}`);
    ok(!r.stderr.includes("    at "), "no stack trace");
    equal(r.stdout, "");
  }
});

Deno.test("emulate: a max model length over the KV capacity is refused", async () => {
  const r = await runTask("emulate", ["--port", "0", "--max-model-len", "100000000"], PERMS);
  equal(r.code, 2, r.stderr);
  ok(r.stderr.includes("larger than the maximum number of tokens that can be stored in KV cache"));
});
