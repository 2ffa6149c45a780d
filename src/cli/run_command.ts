/**
 * Running a pdrouter command: one runner that maps errors to exit codes (2 for bad
 * usage or bad input, 1 for anything else), and the few output helpers commands share.
 *
 * @module
 */

import { type Command, CommanderError } from "npm:commander@15.1.0";
import { InputError, UsageError } from "../core/errors.ts";

/**
 * Whether progress lines should be drawn: they go to stderr, so when stderr is a
 * terminal, whatever stdout is (`sim --json > f` on a terminal still shows progress).
 */
export function progressEnabled(): boolean {
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}

/**
 * Runs a command's `main` with `args`, turning errors into exit codes: 0 on success
 * or `--help` (or the code `main` returns, e.g. 1 when a benchmark check failed), 2 on
 * a bad flag, a bad value or bad input data (the message names the flag, or the file,
 * line and field), 1 on anything else. A broken pipe (`trace:gen | head`: the reader
 * closed its end) ends the command quietly with 0.
 *
 * @example
 * ```ts
 * import { runCommand } from "./run_command.ts";
 * import { Command } from "npm:commander@15.1.0";
 * const code = await runCommand(() => new Command("demo"), async () => {}, []);
 * if (code !== 0) throw new Error("expected success");
 * ```
 */
export async function runCommand(
  build: () => Command,
  main: (
    opts: Record<string, unknown>,
    args: string[],
    cmd: Command,
  ) => Promise<void | number>,
  args: readonly string[],
): Promise<number> {
  const cmd = build();
  cmd.exitOverride();
  cmd.configureOutput({
    writeOut: (s) => writeText(Deno.stdout, s),
    writeErr: () => {}, // errors are printed once, below
  });
  try {
    cmd.parse([...args], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.help" || e.exitCode === 0) {
        return 0;
      }
      writeText(Deno.stderr, `${e.message.replace(/^error: /, "error: ")}\n(see --help)\n`);
      return 2;
    }
    throw e;
  }
  try {
    const code = await main(cmd.opts(), cmd.args, cmd);
    return typeof code === "number" ? code : 0;
  } catch (e) {
    // The reader of our output went away (`trace:gen | head`): it has what it wanted.
    if (e instanceof Deno.errors.BrokenPipe) return 0;
    if (e instanceof UsageError || e instanceof InputError) {
      writeText(Deno.stderr, `error: ${e.message}\n`);
      return 2;
    }
    writeText(Deno.stderr, `error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

/** Writes `text` fully to a Deno output stream, synchronously. */
export function writeText(stream: { writeSync(p: Uint8Array): number }, text: string): void {
  const bytes = new TextEncoder().encode(text);
  let off = 0;
  while (off < bytes.length) off += stream.writeSync(bytes.subarray(off));
}
