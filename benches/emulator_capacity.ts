/**
 * `deno task bench:emulator`: how many concurrent streams one emulator process holds on
 * this machine while its token-timing error stays small.
 *
 * For each time scale (default 1 and 4) one `deno task emulate` process is started; for
 * each stream count N (ascending) this process opens N streaming completions at once
 * (short prompt, `ignore_eos`, outputs long enough to outlast the window and short enough
 * that all N fit in KV), waits until every stream has its first token, resets the
 * emulator's timing counters (`POST /admin/timing/reset`), lets the streams run for the
 * window, and reads the error back (`GET /admin/timing`): for every token, the time the
 * emulator handed its chunk to the HTTP stream minus the model's due time, in model ms.
 * The streams are then cancelled (the emulator aborts them) before the next N. The
 * emulator's CPU share over the window and how late its timer woke it (the machine's
 * share of the error) are reported beside it. Every N is measured (unless p99 is 50× past
 * the bound); capacity at a scale = the largest N that, with every smaller N, kept p99
 * under `--p99-ms`.
 *
 * Usage: deno task bench:emulator [--scales 1,4] [--streams 1,16,…] [--window-s 4]
 *   [--p99-ms 2] [--out FILE.json]
 *
 * @module
 */

import { Command } from "npm:commander@15.1.0";
import { positiveNumber, positiveNumberList } from "../src/cli/flags/values.ts";
import { runCommand, writeText } from "../src/cli/run_command.ts";
import { engineShape } from "../src/engine/emulator/options.ts";
import { LLAMA3_8B_H100 } from "../src/model/presets.ts";
import { cpuSeconds, spawnEmulator } from "../tests/_emulator.ts";

/** One measured point of the curve. */
export interface CapacityPoint {
  /** Model time per wall time. */
  readonly timeScale: number;
  /** Concurrent streams. */
  readonly streams: number;
  /** Tokens per stream asked for (`max_tokens`). */
  readonly maxTokens: number;
  /** Wall seconds measured. */
  readonly windowS: number;
  /** Tokens the emulator timed in the window. */
  readonly tokens: number;
  /** Tokens this client received in the window. */
  readonly clientTokens: number;
  /** Token-timing error, model ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  /** How late the emulator's timer woke it (the machine's share of the error), p99, model ms. */
  readonly wakeP99Ms: number;
  /** How long after waking each token went out (the emulator's own share), p99, model ms. */
  readonly workP99Ms: number;
  /** Whether the emulator's own share stayed under the bound. */
  readonly workPass: boolean;
  /** The emulator process's CPU over the window, % of one core. */
  readonly cpuPercent: number;
  /** Whether p99 < the bound. */
  readonly pass: boolean;
}

/** What `--out` holds (and docs/emulator.md renders). */
export interface CapacityReport {
  readonly command: string;
  readonly date: string;
  readonly machine: {
    readonly cores: number;
    readonly loadavg: readonly number[];
    readonly deno: string;
  };
  readonly p99BoundMs: number;
  readonly points: readonly CapacityPoint[];
  /** Per time scale: the largest stream count that passed (with every smaller one). */
  readonly capacity: Readonly<Record<string, number>>;
  /** The same by the emulator's own share of the error alone (machine wake-ups left out). */
  readonly workCapacity: Readonly<Record<string, number>>;
  /** Stream counts not measured, and why. */
  readonly skipped: readonly string[];
}

/** Wall seconds every stream must outlast: opening them all, then at least 1 s measured. */
const WARM_UP_S = 2.5;
const MIN_LIFE_S = WARM_UP_S + 1;
const PROMPT = "Tell me a long story about the sea.";
const PROMPT_TOKENS = 10; // BOS + the prompt's nine tokens under the Llama-3.1 tokenizer

interface Quantiles {
  tokens: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

async function timing(url: string, path: string, method = "GET") {
  const r = await fetch(url + path, { method });
  const b = await r.json();
  return {
    lateness: b.lateness as Quantiles,
    wake: b.timer_wake as Quantiles,
    work: b.work as Quantiles,
  };
}

async function idle(url: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const text = await (await fetch(url + "/metrics")).text();
    const busy = /vllm:num_requests_(running|waiting)\{[^}]*\} ([0-9.]+)/g;
    let n = 0;
    for (const m of text.matchAll(busy)) n += Number(m[2]);
    if (n === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("the emulator did not drain its streams");
}

async function measure(
  url: string,
  pid: number,
  scale: number,
  streams: number,
  windowS: number,
  bound: number,
): Promise<CapacityPoint | string> {
  const shape = engineShape(LLAMA3_8B_H100, 16, {});
  const m = shape.model;
  // Outputs that fit: N × (prompt + output) within 90% of the KV; long enough to outlast
  // warm-up + window where KV allows (the window shrinks otherwise).
  const kvMax = Math.floor(shape.capacityTokens * 0.9 / streams) - PROMPT_TOKENS;
  const step = m.decodeStepMs(streams, streams * (PROMPT_TOKENS + 200));
  const wanted = Math.ceil(((windowS + 3) * 1000 * scale) / step);
  const maxTokens = Math.max(16, Math.min(kvMax, wanted, 20_000));
  const lifeS = (maxTokens * step) / scale / 1000;
  if (lifeS < MIN_LIFE_S) {
    return `${streams} streams at time scale ${scale}: skipped, the KV holds outputs of ` +
      `${maxTokens} tokens each, which last ${lifeS.toFixed(2)} s (under ${MIN_LIFE_S} s)`;
  }
  const window = Math.min(windowS, lifeS - WARM_UP_S);
  const abort = new AbortController();
  let received = 0, counting = false, started = 0;
  const allStarted = Promise.withResolvers<void>();
  const readers: Promise<void>[] = [];
  for (let i = 0; i < streams; i++) {
    readers.push(
      (async () => {
        const r = await fetch(url + "/v1/completions", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            prompt: PROMPT,
            max_tokens: maxTokens,
            ignore_eos: true,
            stream: true,
          }),
          signal: abort.signal,
        });
        const reader = r.body!.getReader();
        let first = true;
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          if (first) {
            first = false;
            if (++started === streams) allStarted.resolve();
          }
          if (counting) {
            for (let j = value.indexOf(100); j >= 0; j = value.indexOf(100, j + 1)) {
              if (value[j + 1] === 97 && value[j + 2] === 116 && value[j + 3] === 97) received++; // "data"
            }
          }
        }
      })().catch(() => {}),
    );
  }
  await allStarted.promise;
  await timing(url, "/admin/timing/reset", "POST");
  counting = true;
  const cpu0 = await cpuSeconds(pid), t0 = performance.now();
  await new Promise((r) => setTimeout(r, window * 1000));
  const { lateness: lat, wake, work } = await timing(url, "/admin/timing");
  const wallS = (performance.now() - t0) / 1000;
  const cpuPercent = (await cpuSeconds(pid) - cpu0) / wallS * 100;
  counting = false;
  abort.abort();
  await Promise.all(readers);
  await idle(url);
  return {
    timeScale: scale,
    streams,
    maxTokens,
    windowS: Math.round(wallS * 100) / 100,
    tokens: lat.tokens,
    clientTokens: received,
    p50Ms: lat.p50Ms,
    p99Ms: lat.p99Ms,
    p999Ms: lat.p999Ms,
    maxMs: lat.maxMs,
    wakeP99Ms: wake.p99Ms,
    workP99Ms: work.p99Ms,
    workPass: lat.tokens > 0 && work.p99Ms < bound,
    cpuPercent: Math.round(cpuPercent),
    pass: lat.tokens > 0 && lat.p99Ms < bound,
  };
}

/** The curve as a markdown table. */
export function capacityTable(report: CapacityReport): string {
  const rows = report.points.map((p) =>
    `| ${p.timeScale} | ${p.streams} | ${p.tokens.toLocaleString("en-US")} | ` +
    `${p.clientTokens.toLocaleString("en-US")} | ` +
    `${p.p50Ms.toFixed(2)} | ${p.p99Ms.toFixed(2)} | ${p.p999Ms.toFixed(2)} | ${
      p.maxMs.toFixed(2)
    } | ` +
    `${p.wakeP99Ms.toFixed(2)} | ${p.workP99Ms.toFixed(2)} | ${p.cpuPercent}% | ` +
    `${p.pass ? "yes" : "no"} |`
  );
  return [
    "| time scale | streams | tokens timed | tokens received | p50 ms | p99 ms | p99.9 ms | max ms | " +
    `timer wake p99 ms | own work p99 ms | emulator CPU | p99 < ${report.p99BoundMs} ms |`,
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

if (import.meta.main) {
  const build = () =>
    new Command("bench:emulator")
      .description(
        "Concurrent streams one emulator holds with token-timing error p99 under a bound.",
      )
      .option("--scales <list>", "time scales", positiveNumberList, [1, 4])
      .option("--streams <list>", "stream counts, ascending", positiveNumberList, [
        1,
        16,
        64,
        128,
        256,
        512,
        768,
        1024,
      ])
      .option("--window-s <s>", "measured wall seconds per point", positiveNumber, 4)
      .option("--p99-ms <ms>", "the error bound, model ms", positiveNumber, 2)
      .option("--out <file>", "write the report as JSON");
  Deno.exit(
    await runCommand(build, async (opts) => {
      const scales = opts.scales as number[], counts = opts.streams as number[];
      const bound = opts.p99Ms as number, windowS = opts.windowS as number;
      const points: CapacityPoint[] = [];
      const capacity: Record<string, number> = {};
      const workCapacity: Record<string, number> = {};
      const skipped: string[] = [];
      const load0 = Deno.loadavg();
      for (const scale of scales) {
        await using emu = await spawnEmulator(["--port", "0", "--time-scale", String(scale)]);
        capacity[String(scale)] = 0;
        workCapacity[String(scale)] = 0;
        let allPassed = true, allWorkPassed = true;
        for (const n of counts) {
          const p = await measure(emu.url, emu.pid, scale, n, windowS, bound);
          if (typeof p === "string") {
            skipped.push(p);
            writeText(Deno.stderr, p + "\n");
            continue;
          }
          points.push(p);
          writeText(
            Deno.stderr,
            `scale ${scale}: ${n} streams, p99 ${p.p99Ms} ms, max ${p.maxMs} ms, cpu ${p.cpuPercent}%\n`,
          );
          allPassed &&= p.pass;
          if (allPassed) capacity[String(scale)] = n; // this count and every smaller one passed
          allWorkPassed &&= p.workPass;
          if (allWorkPassed) workCapacity[String(scale)] = n;
          if (p.workP99Ms > 50 * bound) break; // far past the bound: larger counts only get worse
        }
      }
      const report: CapacityReport = {
        command: "deno task bench:emulator" + (Deno.args.length ? " " + Deno.args.join(" ") : ""),
        date: new Date().toISOString().slice(0, 10),
        machine: {
          cores: navigator.hardwareConcurrency,
          loadavg: load0.map((x) => Math.round(x * 100) / 100),
          deno: Deno.version.deno,
        },
        p99BoundMs: bound,
        points,
        capacity,
        workCapacity,
        skipped,
      };
      writeText(Deno.stdout, capacityTable(report) + "\n\n");
      for (const [s, n] of Object.entries(capacity)) {
        writeText(
          Deno.stdout,
          `time scale ${s}: ${n} concurrent streams with p99 < ${bound} ms ` +
            `(${workCapacity[s]} by the emulator's own work alone)\n`,
        );
      }
      if (opts.out) {
        await Deno.writeTextFile(String(opts.out), JSON.stringify(report, null, 2) + "\n");
      }
    }, Deno.args),
  );
}
