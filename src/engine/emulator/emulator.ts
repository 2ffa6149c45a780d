/**
 * `startEmulator`: one vLLM-compatible engine in this process — the tokenizer, the
 * engine loop on a scaled real clock, the HTTP server, and (with a KV connector
 * configured) the NixlConnector's side channel.
 *
 * @module
 */

import {
  builtinTokenizerFor,
  loadTokenizer,
  type TextTokenizer,
} from "../../workload/tokenizer.ts";
import { ScaledClock } from "../clock.ts";
import { VLLM_PROTOCOL_VERSION } from "../vllm/protocol.ts";
import { createDeadlineTimer } from "./deadline_timer.ts";
import { EngineLoop } from "./engine_loop.ts";
import { createHandler } from "./http_api.ts";
import { metricsText } from "./metrics_text.ts";
import { NixlConnector } from "./nixl.ts";
import {
  DEFAULT_PRESET,
  type EmulatorOptions,
  engineShape,
  FAMILY_MAX_MODEL_LEN,
  PRESET_MODEL,
} from "./options.ts";
import { VllmPrefixCache } from "./prefix_cache.ts";
import { RequestLog } from "./request_log.ts";

/** A running emulator. */
export interface Emulator {
  /** `http://HOST:PORT`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** The name clients use. */
  readonly servedModel: string;
  /** The side channel, when a KV connector is configured. */
  readonly sideChannel: { readonly host: string; readonly port: number } | undefined;
  /** The engine (for tests and benches). */
  readonly loop: EngineLoop;
  /** Stops serving, ends the side channel and the timer, flushes the request log. */
  close(): Promise<void>;
}

/** A start-up failure the user can fix (a bad setting): the CLI exits 2 with it. */
export class EmulatorConfigError extends Error {
  /**
   * An error saying what is wrong.
   *
   * @param message What is wrong.
   */
  constructor(message: string) {
    super(message);
    this.name = "EmulatorConfigError";
  }
}

async function modelMaxLen(model: string, tokenizer: string): Promise<number> {
  const family = FAMILY_MAX_MODEL_LEN[tokenizer];
  if (family) return family;
  try {
    const config = JSON.parse(await Deno.readTextFile(`${model}/config.json`));
    if (Number.isInteger(config.max_position_embeddings)) return config.max_position_embeddings;
  } catch {
    // no config.json: the Llama-3.1 length
  }
  return FAMILY_MAX_MODEL_LEN["llama-3.1"];
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

/**
 * Starts an emulator.
 *
 * @throws {EmulatorConfigError} On settings vLLM would refuse (a max model length over
 *   the KV capacity) or a tokenizer that cannot be loaded.
 */
export async function startEmulator(o: EmulatorOptions = {}): Promise<Emulator> {
  const log = o.log ?? ((line: string) => console.error(line));
  const preset = o.preset ?? DEFAULT_PRESET;
  const model = o.model ?? PRESET_MODEL[preset.name] ?? "meta-llama/Llama-3.1-8B-Instruct";
  const servedModel = o.servedModelName ?? model;
  const host = o.host ?? "127.0.0.1";
  const blockSize = o.blockSize ?? 16;
  // One JSON value per line after a fixed prefix, for a runner to read back.
  log(`INFO emulator: a vLLM-compatible engine emulator (protocol ${VLLM_PROTOCOL_VERSION})`);
  log(`INFO emulator: argv ${JSON.stringify(o.argv ?? [])}`);
  if (o.startEnv) {
    log(`INFO emulator: env ${JSON.stringify(o.startEnv, (_k, v) => v === undefined ? null : v)}`);
  }
  const tokenizerSource = o.tokenizer ??
    (await isDirectory(model) ? model : builtinTokenizerFor(model) ?? "llama-3.1");
  if (!o.tokenizer && !(await isDirectory(model)) && !builtinTokenizerFor(model)) {
    log(`WARNING emulator: no tokenizer known for '${model}'; using the built-in llama-3.1`);
  }
  let tokenizer: TextTokenizer;
  try {
    tokenizer = await loadTokenizer(tokenizerSource);
  } catch (e) {
    throw new EmulatorConfigError(e instanceof Error ? e.message : String(e));
  }
  tokenizer.encode("warm up the tokenizer", true); // its first call compiles; not on a request
  const shape = engineShape(preset, blockSize, o);
  const maxModelLen = o.maxModelLen ?? await modelMaxLen(model, tokenizerSource);
  if (maxModelLen > shape.capacityTokens) {
    throw new EmulatorConfigError(
      `The model's max seq len (${maxModelLen}) is larger than the maximum number of tokens ` +
        `that can be stored in KV cache (${shape.capacityTokens}). Try increasing ` +
        `--gpu-memory-utilization or decreasing --max-model-len when initializing the engine.`,
    );
  }
  const tp = o.tensorParallelSize ?? preset.tensorParallel;
  if (tp !== preset.tensorParallel) {
    log(
      `WARNING emulator: --tensor-parallel-size ${tp} is recorded; the timing preset ` +
        `'${preset.name}' models TP=${preset.tensorParallel}`,
    );
  }
  const timeScale = o.timeScale ?? 1;
  const clock = new ScaledClock(timeScale);
  const enablePrefixCaching = o.enablePrefixCaching ?? true;
  const loop = new EngineLoop({
    model: shape.model,
    cache: new VllmPrefixCache(blockSize, enablePrefixCaching),
    capacityTokens: shape.capacityTokens,
    clock,
    timer: (onFire) => createDeadlineTimer(clock, onFire, log),
  });
  const kvc = o.kvTransferConfig;
  let connector: NixlConnector | undefined;
  const engineId = crypto.randomUUID();
  if (kvc) {
    if (kvc.kv_connector && kvc.kv_connector !== "NixlConnector") {
      log(`WARNING emulator: kv_connector '${kvc.kv_connector}' runs the NixlConnector protocol`);
    }
    connector = await NixlConnector.start({
      loop,
      engineId,
      host: o.sideChannelHost ?? host,
      port: o.sideChannelPort ?? 0,
      holdTimeoutMs: (o.holdTimeoutS ?? 480) * 1000,
      loadFailurePolicy: kvc.kv_load_failure_policy ?? "fail",
      tpSize: tp,
      blockTokens: blockSize,
      log,
    });
    loop.connector = connector;
    log(`INFO emulator: KV side channel ${connector.host}:${connector.port} (engine ${engineId})`);
  }
  const requestLog = o.requestLog ? await RequestLog.open(o.requestLog) : undefined;
  const cacheConfig = {
    block_size: String(blockSize),
    cache_dtype: "auto",
    enable_prefix_caching: enablePrefixCaching ? "True" : "False",
    gpu_memory_utilization: String(o.gpuMemoryUtilization ?? preset.gpuMemoryUtilization),
    num_cpu_blocks: "None",
    num_gpu_blocks: String(shape.numGpuBlocks),
    prefix_caching_hash_algo: "builtin",
    swap_space: "4",
  };
  let ids = 0;
  const handler = createHandler({
    loop,
    tokenizer,
    servedModel,
    maxModelLen,
    blockSize,
    kvConnector: connector !== undefined,
    requestLog,
    log,
    nextId: () => ++ids,
    apiKey: o.apiKey,
    modelRoot: model,
    timeScale,
    metrics: () =>
      metricsText({
        loop,
        modelName: servedModel,
        names: o.metricsNames ?? "new",
        cacheConfig,
        pendingSends: connector ? () => connector!.pendingSends : undefined,
      }),
  });
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: host,
    port: o.port ?? 8000,
    onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
  }, handler);
  const addr = await listening.promise;
  const shownHost = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  log(
    `INFO emulator: serving ${servedModel} (preset ${preset.name}, block size ${blockSize}, ` +
      `${shape.numGpuBlocks} KV blocks, max model len ${maxModelLen}, time scale ${timeScale})`,
  );
  return {
    url: `http://${shownHost}:${addr.port}`,
    port: addr.port,
    servedModel,
    sideChannel: connector ? { host: connector.host, port: connector.port } : undefined,
    loop,
    async close() {
      await server.shutdown();
      await connector?.close();
      loop.close();
      await requestLog?.close();
    },
  };
}
