/**
 * Entry point of `deno task report`. See `--help`.
 *
 * @module
 */
import { runReportCommand } from "../src/cli/report_command.ts";

if (import.meta.main) Deno.exit(await runReportCommand(Deno.args));
