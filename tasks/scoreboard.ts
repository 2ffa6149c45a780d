/**
 * Entry point of `deno task scoreboard`. See `--help`.
 *
 * @module
 */
import { runScoreboardCommand } from "../src/cli/scoreboard_command.ts";

if (import.meta.main) Deno.exit(await runScoreboardCommand(Deno.args));
