import { deepEqual } from "node:assert/strict";
import { splitServeArgv, VLLM_SERVE_FLAGS, vllmServeArgv } from "./serve_args.ts";

Deno.test("serve argv: known flags normalised, unknown ones kept aside with their values", () => {
  const s = splitServeArgv([
    "serve",
    "/models/llama",
    "--port=8100",
    "--max_num_seqs",
    "64",
    "--no-enable-prefix-caching",
    "--enforce-eager",
    "--dtype",
    "bfloat16",
    "--seed=3",
    "--trust-remote-code",
  ], VLLM_SERVE_FLAGS);
  deepEqual(s.positionals, ["serve", "/models/llama"]);
  deepEqual(s.known, ["--port", "8100", "--max-num-seqs", "64", "--no-enable-prefix-caching"]);
  deepEqual(s.unknown, [
    "--enforce-eager",
    "--dtype",
    "bfloat16",
    "--seed=3",
    "--trust-remote-code",
  ]);
});

Deno.test("serve argv: what a runner builds, the emulator's pre-pass reads", () => {
  const argv = vllmServeArgv({
    model: "m",
    host: "127.0.0.1",
    port: 8200,
    kvTransferConfig: { kv_connector: "NixlConnector", kv_role: "kv_both" },
    tensorParallelSize: 2,
    blockSize: 128,
    extra: ["--enforce-eager"],
  });
  const s = splitServeArgv(argv, VLLM_SERVE_FLAGS);
  deepEqual(s.positionals, ["serve", "m"]);
  deepEqual(s.unknown, ["--enforce-eager"]);
  deepEqual(s.known, [
    "--host",
    "127.0.0.1",
    "--port",
    "8200",
    "--kv-transfer-config",
    '{"kv_connector":"NixlConnector","kv_role":"kv_both"}',
    "--tensor-parallel-size",
    "2",
    "--block-size",
    "128",
  ]);
});
