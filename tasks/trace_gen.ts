/**
 * Entry point of `deno task trace:gen`. See `--help`.
 *
 * @module
 */
import { runTraceGenCommand } from "../src/cli/trace_gen_command.ts";

if (import.meta.main) Deno.exit(await runTraceGenCommand(Deno.args));
