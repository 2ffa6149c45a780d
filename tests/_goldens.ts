/**
 * Golden outputs of `deno task sim --json`: the cases, how to run one, and (run as a
 * script with `--update`) how to re-record them. A result may change only in a commit
 * of its own titled `goldens: <why>` that re-records these files and lists each figure
 * that moved.
 *
 * ```sh
 * deno task goldens            # check every case against tests/goldens/sim/
 * deno task goldens --update   # re-record them (a `goldens:` commit)
 * ```
 *
 * @module
 */

const ROOT = new URL("../", import.meta.url);
const DIR = new URL("tests/goldens/sim/", ROOT);

/** One golden case: a file name and the `sim` arguments that produce it. */
export interface GoldenCase {
  readonly name: string;
  readonly args: readonly string[];
}

const SOURCES: readonly (readonly [string, readonly string[]])[] = [
  ["chat", ["--workload", "chat"]],
  ["bursty", ["--workload", "bursty"]],
  ["shared-prefix", ["--workload", "shared-prefix"]],
  ["mooncake", ["--trace", "data/traces/mooncake/conversation_trace.jsonl.gz"]],
  ["azure", ["--trace", "data/traces/azure-llm-2023/AzureLLMInferenceTrace_conv.csv.gz"]],
];

/**
 * Every case: each source × seeds 1–3 × (the default policies, all policies), and the
 * default scenario at `--load 0.7` (the capacity estimate and the rate it sets).
 */
export const GOLDEN_CASES: readonly GoldenCase[] = [
  ...SOURCES.flatMap(([name, args]) =>
    [1, 2, 3].flatMap((seed) => [
      { name: `${name}-seed${seed}`, args: ["--json", "--seed", String(seed), ...args] },
      {
        name: `${name}-seed${seed}-all`,
        args: ["--json", "--seed", String(seed), ...args, "--policies", "all"],
      },
    ])
  ),
  { name: "chat-seed1-load0.7", args: ["--json", "--seed", "1", "--load", "0.7"] },
];

/** Runs `deno task sim` on `c`'s arguments from the repository root; returns stdout. */
export async function runGolden(c: GoldenCase): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-read",
      "--allow-env",
      "--allow-write",
      new URL("tasks/sim.ts", ROOT).pathname,
      ...c.args,
    ],
    cwd: ROOT.pathname,
    env: { NO_COLOR: "1", INIT_CWD: ROOT.pathname },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (out.code !== 0) {
    throw new Error(`sim ${c.args.join(" ")} exited ${out.code}: ${dec.decode(out.stderr)}`);
  }
  return dec.decode(out.stdout);
}

/** The recorded output of `c`. */
export function goldenPath(c: GoldenCase): URL {
  return new URL(`${c.name}.json`, DIR);
}

/** Runs `cases` with `parallel` processes at a time, calling `each` per finished case. */
export async function forEachGolden(
  cases: readonly GoldenCase[],
  parallel: number,
  each: (c: GoldenCase, stdout: string) => void | Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      await each(c, await runGolden(c));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

if (import.meta.main) {
  const update = Deno.args.includes("--update");
  const moved: string[] = [];
  await forEachGolden(GOLDEN_CASES, 2, async (c, stdout) => {
    const path = goldenPath(c);
    let old = "";
    try {
      old = await Deno.readTextFile(path);
    } catch { /* new case */ }
    if (old !== stdout) moved.push(c.name);
    if (update) await Deno.writeTextFile(path, stdout);
  });
  console.log(
    moved.length === 0
      ? `goldens: all ${GOLDEN_CASES.length} cases unchanged`
      : `goldens: ${moved.length} of ${GOLDEN_CASES.length} cases ${
        update ? "re-recorded" : "differ"
      }: ${moved.sort().join(", ")}`,
  );
  if (!update && moved.length > 0) Deno.exit(1);
}
