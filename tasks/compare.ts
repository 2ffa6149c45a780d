/**
 * Entry point of `deno task compare`. See `--help`.
 *
 * @module
 */
import { runCompareCommand } from "../src/cli/compare_command.ts";

if (import.meta.main) Deno.exit(await runCompareCommand(Deno.args));
