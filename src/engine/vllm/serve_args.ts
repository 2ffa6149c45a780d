/**
 * `vllm serve`'s command line: the flags the live path sets or reads, a pre-pass that
 * sorts an argv into what a program understands and what it does not (vLLM has hundreds
 * of flags; an emulator standing in for the `vllm` executable accepts the others with a
 * warning), and the argv a runner builds for one engine.
 *
 * Like vLLM's parser, the pre-pass accepts `--flag=value` and underscores for dashes
 * (`--max_num_seqs`).
 *
 * @module
 */

/** The `vllm serve` flags the emulator understands: flag → whether it takes a value. */
export const VLLM_SERVE_FLAGS: Readonly<Record<string, boolean>> = {
  "--host": true,
  "--port": true,
  "--kv-transfer-config": true,
  "--max-num-seqs": true,
  "--max-num-batched-tokens": true,
  "--block-size": true,
  "--gpu-memory-utilization": true,
  "--max-model-len": true,
  "--served-model-name": true,
  "--enable-prefix-caching": false,
  "--no-enable-prefix-caching": false,
  "--api-key": true,
  "--tensor-parallel-size": true,
  "--tokenizer": true,
  "--model": true,
};

/** An argv sorted by {@linkcode splitServeArgv}. */
export interface SplitArgv {
  /** Positional words (`serve`, `MODEL`), in order. */
  readonly positionals: string[];
  /** The known flags with their values, normalised (`--a-b value`). */
  readonly known: string[];
  /** Unknown flags as given, each with its value when it had one (`--x 3`). */
  readonly unknown: string[];
}

/**
 * Sorts `argv` into positionals, flags in `known` (flag → takes a value) and the rest.
 * An unknown flag takes the next word as its value unless that word is a flag.
 *
 * @example
 * ```ts
 * import { splitServeArgv } from "./serve_args.ts";
 * const s = splitServeArgv(
 *   ["serve", "m", "--max_num_seqs=8", "--enforce-eager", "--swap-space", "4", "--port", "0"],
 *   { "--max-num-seqs": true, "--port": true },
 * );
 * if (s.positionals.join() !== "serve,m") throw new Error(String(s.positionals));
 * if (s.known.join(" ") !== "--max-num-seqs 8 --port 0") throw new Error(s.known.join(" "));
 * if (s.unknown.join(" ") !== "--enforce-eager --swap-space 4") throw new Error();
 * ```
 */
export function splitServeArgv(
  argv: readonly string[],
  known: Readonly<Record<string, boolean>>,
): SplitArgv {
  const positionals: string[] = [], flags: string[] = [], unknown: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (!word.startsWith("--") || word === "--") {
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf("=");
    const rawName = eq < 0 ? word : word.slice(0, eq);
    const name = "--" + rawName.slice(2).replaceAll("_", "-");
    const inline = eq < 0 ? undefined : word.slice(eq + 1);
    const takesValue = known[name];
    if (takesValue === undefined) {
      const next = argv[i + 1];
      if (inline === undefined && next !== undefined && !next.startsWith("--")) {
        unknown.push(word, next);
        i++;
      } else unknown.push(word);
      continue;
    }
    flags.push(name);
    if (!takesValue) continue;
    if (inline !== undefined) flags.push(inline);
    else if (i + 1 < argv.length) flags.push(argv[++i]);
  }
  return { positionals, known: flags, unknown };
}

/** One engine's `vllm serve` settings, for {@linkcode vllmServeArgv}. */
export interface ServeArgs {
  /** The model (a Hugging Face name or a directory). */
  readonly model: string;
  /** Bind address. */
  readonly host?: string;
  /** Port. */
  readonly port?: number;
  /** `--kv-transfer-config`, serialised as JSON. */
  readonly kvTransferConfig?: Readonly<Record<string, unknown>>;
  /** `--served-model-name`. */
  readonly servedModelName?: string;
  /** `--tensor-parallel-size`. */
  readonly tensorParallelSize?: number;
  /** `--block-size`. */
  readonly blockSize?: number;
  /** More words, passed through as given. */
  readonly extra?: readonly string[];
}

/**
 * The argv (after the executable) of `vllm serve` for `args`.
 *
 * @example
 * ```ts
 * import { vllmServeArgv } from "./serve_args.ts";
 * const argv = vllmServeArgv({ model: "m", port: 8100, kvTransferConfig: { kv_role: "kv_both" } });
 * if (argv.join(" ") !== 'serve m --port 8100 --kv-transfer-config {"kv_role":"kv_both"}') {
 *   throw new Error(argv.join(" "));
 * }
 * ```
 */
export function vllmServeArgv(args: ServeArgs): string[] {
  const out = ["serve", args.model];
  if (args.host !== undefined) out.push("--host", args.host);
  if (args.port !== undefined) out.push("--port", String(args.port));
  if (args.kvTransferConfig) {
    out.push("--kv-transfer-config", JSON.stringify(args.kvTransferConfig));
  }
  if (args.servedModelName !== undefined) out.push("--served-model-name", args.servedModelName);
  if (args.tensorParallelSize !== undefined) {
    out.push("--tensor-parallel-size", String(args.tensorParallelSize));
  }
  if (args.blockSize !== undefined) out.push("--block-size", String(args.blockSize));
  if (args.extra) out.push(...args.extra);
  return out;
}

/** The environment variables a vLLM engine's start-up reads that a runner sets per engine. */
export const VLLM_ENGINE_ENV: readonly string[] = [
  "CUDA_VISIBLE_DEVICES",
  "VLLM_NIXL_SIDE_CHANNEL_PORT",
  "VLLM_NIXL_SIDE_CHANNEL_HOST",
];
