import { deepEqual, equal, ok } from "node:assert/strict";
import { runTask } from "./_cli.ts";

Deno.test("sim: a user policy that throws is named with the request, exit 1, not blamed on --set", async () => {
  const r = await runTask("sim", [
    "--requests",
    "20",
    "--policy",
    "tests/testdata/policies/throws.ts",
  ]);
  equal(r.code, 1, r.stderr);
  ok(r.stderr.includes("Policy 'throws' failed on request 0: boom"), r.stderr);
  ok(!r.stderr.includes("--set"), r.stderr);
});

Deno.test("sim --list --json prints the lists as one JSON object", async () => {
  const r = await runTask("sim", ["--list", "--json"]);
  equal(r.code, 0, r.stderr);
  const obj = JSON.parse(r.stdout);
  deepEqual(Object.keys(obj), ["policies", "workloads", "models"]);
  ok(obj.policies.some((p: { name: string }) => p.name === "telemetry"));
});

Deno.test("sim: the header shows the nominal and the offered rate", async () => {
  const r = await runTask("sim", ["--requests", "300", "--workload", "poisson", "--rate", "20"]);
  equal(r.code, 0, r.stderr);
  ok(/20 req\/s nominal, \d+\.\d offered/.test(r.stdout), r.stdout.split("\n")[0]);
});

for (
  const flag of [["--trace", "x.jsonl"], ["--load", "0.7"], ["--seed", "3"], ["--json"], [
    "--out",
    "x",
  ]]
) {
  Deno.test(`sweep rejects ${flag[0]} (it cannot honour it) with exit 2`, async () => {
    const r = await runTask("sweep", ["--seeds", "1", "--requests", "50", ...flag]);
    equal(r.code, 2, r.stderr);
    ok(r.stderr.includes(`${flag[0]} is not supported by sweep`), r.stderr);
  });
}

Deno.test("sweep honours the scenario flags it takes", async () => {
  const r = await runTask("sweep", ["--seeds", "2", "--requests", "300", "--workload", "poisson"]);
  equal(r.code, 0, r.stderr);
  ok(/telemetry has the lower p99 TTFT on \d of 2 seeds/.test(r.stdout), r.stdout);
});

Deno.test("trace:gen --out into a missing directory exits 2 naming --out", async () => {
  const r = await runTask("trace_gen", ["--requests", "5", "--out", "/nonexistent-dir/x.jsonl"], [
    "--allow-read",
    "--allow-write",
    "--allow-env",
  ]);
  equal(r.code, 2, r.stderr);
  ok(r.stderr.includes("--out"), r.stderr);
});

Deno.test("outputs that cannot be written, and fleets too large, exit 2 naming the flag first", async () => {
  const file = await Deno.makeTempFile();
  const dir = await Deno.makeTempDir();
  const rw = ["--allow-read", "--allow-write", "--allow-env", "--allow-run"];
  try {
    const cases: [string, string[], RegExp][] = [
      // An overlay written onto a file: refused before any run is read.
      ["report", [dir, `${dir}/b`, "--out", file], /--out: '.*' is a file, not a folder/],
      ["report", [dir, "--out", `${file}/sub`], /--out: cannot create directory .* is a file/],
      [
        "bench",
        ["run", "--skip", "deno-bench,hot-path,alloc,scale,idle,targets", "--out", file],
        /--out: '.*' is a file/,
      ],
      ["../benches/trace_memory", ["--requests", "10", "--keep", dir], /--keep: '.*' is a folder/],
      [
        "../benches/trace_memory",
        ["--requests", "10", "--keep", `${dir}/no/x.gz`],
        /--keep: the folder .* does not exist/,
      ],
      // Checked before anything is allocated (10^7 workers took ~550 MB and an index error).
      [
        "sim",
        ["--prefill-gpus", "10000000", "--decode-gpus", "10000000"],
        /--prefill-gpus: expected at most 65536 GPUs in all \(prefill \+ decode\), got 10000000 \+ 10000000/,
      ],
      ["sim", ["--decode-gpus", "65533"], /--decode-gpus: expected at most 65536 GPUs in all/],
    ];
    for (const [task, args, message] of cases) {
      const r = await runTask(task, args, rw);
      equal(r.code, 2, `${task} ${args.join(" ")}: ${r.stderr}`);
      ok(message.test(r.stderr), `${task} ${args.join(" ")}: ${r.stderr}`);
      ok(!/\n\s+at /.test(r.stderr), `no stack trace: ${r.stderr}`);
    }
    deepEqual([...Deno.readDirSync(dir)], [], "nothing was written");
  } finally {
    await Deno.remove(file);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("trace:gen | head: a reader that stops early ends the command quietly", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      new URL("../tasks/trace_gen.ts", import.meta.url).pathname,
      "--requests",
      "200000",
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  const first = await reader.read(); // one chunk, as `head -1` reads, then the pipe closes
  await reader.cancel();
  const [stderr, status] = await Promise.all([
    new Response(child.stderr).text(),
    child.status,
  ]);
  ok(!first.done && first.value.length > 0);
  equal(status.code, 0, stderr);
  equal(stderr, "", "no 'Broken pipe' message");
});

Deno.test("a trace whose arrivals share one instant is a burst at t = 0, not 0.00 req/s", async () => {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    await Deno.writeTextFile(
      path,
      "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n" +
        "5,ChatGPT,472,18,490,Conversation log\n5,ChatGPT,1087,200,1287,Conversation log\n" +
        "5,ChatGPT,100,20,120,Conversation log\n",
    );
    const r = await runTask("sim", ["--trace", path]);
    equal(r.code, 0, r.stderr);
    const head = r.stdout.split("\n")[0];
    ok(head.includes("one burst of 3 requests at t = 0"), head);
    ok(!head.includes("0.00 req/s"), head);
  } finally {
    await Deno.remove(path);
  }
});
