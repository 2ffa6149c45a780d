/**
 * Entry point of `deno task bench`. See `--help`.
 *
 * @module
 */
import { runBenchCommand } from "../src/cli/bench_command.ts";

if (import.meta.main) Deno.exit(await runBenchCommand(Deno.args));
