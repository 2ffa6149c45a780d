// Starts `deno task emulate` as a real process (the task's own permissions, read from
// deno.json), waits for the URL on its first stdout line, and stops it: SIGTERM, then
// await its exit, so that no child outlives the test.

const ROOT = new URL("../", import.meta.url);

/** The flags of `deno task emulate` between `deno run` and the script. */
async function emulatePermissions(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const words = String(config.tasks.emulate).split(" ");
  return words.slice(2, words.indexOf("tasks/emulate.ts"));
}

/** A running emulator process. */
export interface EmulatorProcess extends AsyncDisposable {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Its pid. */
  readonly pid: number;
  /** Its stderr so far. */
  stderr(): string;
  /** SIGTERM, and waits for the exit; resolves with the exit code. */
  stop(): Promise<number>;
}

/** Starts `deno task emulate ARGS` with `env` added; rejects (and kills it) if not ready in time. */
export async function spawnEmulator(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<EmulatorProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...await emulatePermissions(), "tasks/emulate.ts", ...args],
    cwd: ROOT.pathname,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let err = "";
  const dec = new TextDecoder();
  const errDone = child.stderr.pipeTo(
    new WritableStream({ write: (b) => void (err += dec.decode(b, { stream: true })) }),
  ).catch(() => {});
  const reader = child.stdout.getReader();
  let out = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`emulator exited before it was ready:\n${err}`);
      out += dec.decode(value, { stream: true });
    }
  } catch (e) {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
    await child.status;
    throw e;
  } finally {
    clearTimeout(timer);
  }
  const drained = (async () => {
    try {
      while (!(await reader.read()).done) { /* drain */ }
    } catch { /* closed */ }
  })();
  let stopped: Promise<number> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const status = await child.status;
      await Promise.all([drained, errDone]);
      return status.code;
    })();
  return {
    url: out.split("\n")[0].trim(),
    pid: child.pid,
    stderr: () => err,
    stop,
    [Symbol.asyncDispose]: async () => void await stop(),
  };
}

/** Whether a process with `pid` is still alive (not a zombie), asked of `ps`. */
export async function alive(pid: number): Promise<boolean> {
  const out = await new Deno.Command("ps", {
    args: ["-o", "stat=", "-p", String(pid)],
    stdout: "piped",
    stderr: "null",
  }).output();
  const stat = new TextDecoder().decode(out.stdout).trim();
  return out.code === 0 && stat !== "" && !stat.startsWith("Z");
}

/** CPU time (user + system) of process `pid` so far, s (Linux `/proc/PID/stat`, read by `cat`). */
export async function cpuSeconds(pid: number): Promise<number> {
  const out = await new Deno.Command("cat", { args: [`/proc/${pid}/stat`], stdout: "piped" })
    .output();
  const stat = new TextDecoder().decode(out.stdout);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 1/100 s
}

/** Reads a server-sent-event stream's `data:` payloads. */
export async function sseEvents(r: Response): Promise<string[]> {
  const text = await r.text();
  return text.split("\n\n").filter((e) => e.startsWith("data: ")).map((e) => e.slice(6));
}
