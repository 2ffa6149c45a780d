/** Runs a task script as a user would (`deno run … tasks/<name>.ts args`) and captures it. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const ROOT = new URL("../", import.meta.url);

/** Runs `tasks/<task>.ts` with `args` under the permissions of its `deno task` entry. */
export async function runTask(
  task: string,
  args: string[],
  perms: string[] = ["--allow-read", "--allow-env"],
): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...perms, new URL(`tasks/${task}.ts`, ROOT).pathname, ...args],
    cwd: ROOT.pathname,
    env: { NO_COLOR: "1", INIT_CWD: ROOT.pathname }, // paths as given from the repository root
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
