/**
 * Entry point of `deno task emulate`. See `--help`.
 *
 * @module
 */
import { runEmulateCommand } from "../src/cli/emulate_command.ts";

if (import.meta.main) Deno.exit(await runEmulateCommand(Deno.args));
