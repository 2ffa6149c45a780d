/**
 * `deno task emulate`: a vLLM-compatible engine timed by pdrouter's engine model. When
 * ready it prints `http://HOST:PORT` as the first line of stdout; logs go to stderr. It
 * takes `vllm serve`'s command line (`emulate serve MODEL --port 8100 …`), so that it can
 * stand in for the `vllm` executable.
 *
 * @module
 */

import { Command } from "npm:commander@15.1.0";
import { UsageError } from "../core/errors.ts";
import { EmulatorConfigError, startEmulator } from "../engine/emulator/emulator.ts";
import { splitServeArgv } from "../engine/vllm/serve_args.ts";
import { addLiveOptions, liveFlagsFromOpts } from "./flags/live.ts";
import { addServeOptions, KNOWN_EMULATE_FLAGS, serveFlagsFromOpts } from "./flags/vllm_serve.ts";
import { runCommand, writeText } from "./run_command.ts";

/** The environment variables the emulator reads or logs. */
const ENV = [
  "CUDA_VISIBLE_DEVICES",
  "VLLM_NIXL_SIDE_CHANNEL_HOST",
  "VLLM_NIXL_SIDE_CHANNEL_PORT",
  "VLLM_NIXL_ABORT_REQUEST_TIMEOUT",
] as const;

/** The `emulate` command's flags and help. */
export function emulateCommand(): Command {
  const cmd = new Command("emulate")
    .description(
      "Serve vLLM's OpenAI-compatible API (V1 engine, 0.11+ protocol) from an emulated " +
        "engine: pdrouter's engine scheduler and execution model on a real clock, real " +
        "tokens (the model's tokenizer and chat template), vLLM's /metrics and its " +
        "NixlConnector P/D hand-off. Prints http://HOST:PORT on stdout when ready; logs " +
        "go to stderr.\n\n" +
        "Takes 'vllm serve MODEL [flags]'; vLLM flags it does not model are accepted with " +
        "a warning. Reads VLLM_API_KEY, VLLM_NIXL_SIDE_CHANNEL_HOST/PORT and " +
        "VLLM_NIXL_ABORT_REQUEST_TIMEOUT (model seconds) as vLLM does.\n\n" +
        "End of sequence, deterministically: min_tokens below the token limit ends there " +
        "with finish_reason 'stop' (unless ignore_eos); otherwise up to the limit " +
        "('length').",
    )
    .argument("[words...]", "'serve' and MODEL, as vllm serve takes them")
    .helpOption("-h, --help", "show this help")
    .showHelpAfterError(false);
  addLiveOptions(cmd, { host: "127.0.0.1", port: 8000 });
  addServeOptions(cmd);
  return cmd;
}

/** Runs `emulate` with `args`; resolves with the exit code once the server stopped. */
export async function runEmulateCommand(args: readonly string[]): Promise<number> {
  const split = splitServeArgv(args, KNOWN_EMULATE_FLAGS);
  let stop: (() => Promise<void>) | undefined;
  const code = await runCommand(emulateCommand, async (opts, words) => {
    const live = liveFlagsFromOpts(opts);
    const serve = serveFlagsFromOpts(opts);
    const pos = words[0] === "serve" ? words.slice(1) : words;
    if (pos.length > 1) {
      throw new UsageError(
        "",
        `Cannot start the emulator: expected at most one MODEL, got '${pos.join(" ")}'`,
      );
    }
    const env: Record<string, string | undefined> = {};
    for (const k of ENV) env[k] = Deno.env.get(k);
    const log = (line: string) => writeText(Deno.stderr, line + "\n");
    if (split.unknown.length > 0) {
      log(`WARNING emulator: accepted, not modelled: ${split.unknown.join(" ")}`);
    }
    const sidePort = env.VLLM_NIXL_SIDE_CHANNEL_PORT;
    const holdS = env.VLLM_NIXL_ABORT_REQUEST_TIMEOUT;
    for (
      const [name, v] of [["VLLM_NIXL_SIDE_CHANNEL_PORT", sidePort], [
        "VLLM_NIXL_ABORT_REQUEST_TIMEOUT",
        holdS,
      ]]
    ) {
      if (v !== undefined && !(Number(v) >= 0 && v.trim() !== "")) {
        throw new UsageError(
          "",
          `Cannot start the emulator: ${name} must be a number ≥ 0, got '${v}'`,
        );
      }
    }
    let emulator;
    try {
      emulator = await startEmulator({
        host: live.host,
        port: live.port,
        timeScale: live.timeScale,
        model: pos[0] ?? serve.model,
        servedModelName: serve.servedModelName,
        preset: serve.preset,
        tokenizer: serve.tokenizer,
        blockSize: serve.blockSize,
        maxModelLen: serve.maxModelLen,
        enablePrefixCaching: serve.enablePrefixCaching,
        maxNumSeqs: serve.maxNumSeqs,
        maxNumBatchedTokens: serve.maxNumBatchedTokens,
        gpuMemoryUtilization: serve.gpuMemoryUtilization,
        tensorParallelSize: serve.tensorParallelSize,
        apiKey: serve.apiKey ?? Deno.env.get("VLLM_API_KEY"),
        metricsNames: serve.metricsNames,
        requestLog: serve.requestLog,
        kvTransferConfig: serve.kvTransferConfig,
        sideChannelHost: env.VLLM_NIXL_SIDE_CHANNEL_HOST,
        sideChannelPort: sidePort === undefined ? undefined : Number(sidePort),
        holdTimeoutS: holdS === undefined ? undefined : Number(holdS),
        argv: [...args],
        startEnv: env,
        log,
      });
    } catch (e) {
      if (e instanceof EmulatorConfigError) throw new UsageError("", e.message);
      throw e;
    }
    writeText(Deno.stdout, `${emulator.url}\n`);
    const stopped = Promise.withResolvers<void>();
    stop = async () => {
      // Streams still open are cut after a grace period rather than waited for.
      await Promise.race([emulator.close(), new Promise((r) => setTimeout(r, 2000))]);
      stopped.resolve();
    };
    const onSignal = () => void stop?.();
    Deno.addSignalListener("SIGINT", onSignal);
    Deno.addSignalListener("SIGTERM", onSignal);
    await stopped.promise;
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }, [...split.positionals, ...split.known]);
  return code;
}
