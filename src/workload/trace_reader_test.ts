import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { InputError } from "../core/errors.ts";
import type { InferenceRequest } from "../core/types.ts";
import { expectedWhere, MALFORMED_CASES, TRACE_FIXTURES } from "./testdata/trace_cases.ts";
import { formatAzureTimestamp } from "./azure.ts";
import { formatBurstGptRow } from "./burstgpt.ts";
import { formatMooncakeRow, type MooncakeRow } from "./mooncake.ts";
import {
  openTrace,
  scanTrace,
  type TraceOptions,
  TraceSource,
  type TraceStats,
} from "./trace_reader.ts";
import { writeLines } from "./trace_writer.ts";
import { formatVidurRow } from "./vidur.ts";

const fixture = (name: string): string => TRACE_FIXTURES + name;

async function readAll(
  options: TraceOptions,
): Promise<{ requests: InferenceRequest[]; stats: TraceStats; source: TraceSource }> {
  const source = await openTrace(options);
  const requests: InferenceRequest[] = [];
  for (;;) {
    const batch = await source.next();
    if (batch.length === 0) break;
    requests.push(...batch);
  }
  return { requests, stats: { ...source.stats }, source };
}

Deno.test("mooncake: fixture rows, 512-token blocks, hash ids kept as block ids", async () => {
  const { requests, stats, source } = await readAll({ path: fixture("mooncake_small.jsonl") });
  equal(source.format, "mooncake");
  equal(source.blockTokens, 512);
  equal(requests.length, 6);
  deepEqual(requests.map((r) => r.arrivalMs), [0, 0, 3000, 6000, 6000, 9000]);
  deepEqual(requests.map((r) => r.promptTokens), [1200, 700, 1600, 512, 2100, 90]);
  deepEqual(requests.map((r) => r.outputTokens), [50, 12, 300, 1, 77, 20]);
  deepEqual([...requests[4].blocks], [0, 1, 2, 4, 6]);
  deepEqual([...requests[1].blocks], [0, 3]);
  deepEqual(requests.map((r) => r.id), [0, 1, 2, 3, 4, 5]);
  equal(stats.rows, 6);
  equal(stats.requests, 6);
  equal(stats.promptTokens, 1200 + 700 + 1600 + 512 + 2100 + 90);
});

Deno.test("gzip: a .gz trace reads exactly like the plain file", async () => {
  const plain = await readAll({ path: fixture("mooncake_small.jsonl") });
  const gz = await readAll({ path: fixture("mooncake_small.jsonl.gz") });
  equal(gz.requests.length, 6);
  deepEqual(
    gz.requests.map((r) => [r.arrivalMs, r.promptTokens, r.outputTokens, [...r.blocks]]),
    plain.requests.map((r) => [r.arrivalMs, r.promptTokens, r.outputTokens, [...r.blocks]]),
  );
});

Deno.test("azure: 7-digit timestamps keep sub-millisecond precision", async () => {
  const { requests, source } = await readAll({ path: fixture("azure_small.csv") });
  equal(source.format, "azure");
  equal(source.blockTokens, 64);
  equal(requests.length, 6);
  // 18:15:46.6805900 is the origin; the next row is 100 ns later.
  equal(requests[0].arrivalMs, 0);
  equal(requests[1].arrivalMs, 0.0001);
  ok(requests[1].arrivalMs > requests[0].arrivalMs);
  equal(requests[2].arrivalMs, 4314.579); // 50.9951690 - 46.6805900 s
  equal(requests[3].arrivalMs, 13319.41); // 18:16:00 - 18:15:46.68059
  equal(requests[4].arrivalMs, (44 * 60 + 13) * 1000 + 319.4099); // 18:59:59.9999999
  equal(requests[5].arrivalMs, (44 * 60 + 13) * 1000 + 319.41);
  deepEqual(requests.map((r) => r.promptTokens), [374, 396, 879, 1021, 25, 4000]);
  deepEqual(requests.map((r) => r.outputTokens), [44, 109, 31, 400, 5, 1000]);
});

Deno.test("vidur: seconds become ms; identical to the Azure rows it derives from", async () => {
  const { requests, source } = await readAll({ path: fixture("vidur_small.csv") });
  equal(source.format, "vidur");
  deepEqual(requests.map((r) => r.arrivalMs), [0, 4314.579, 4314.579, 10500]);
  deepEqual(requests.map((r) => r.promptTokens), [374, 396, 879, 1021]);
  deepEqual(requests.map((r) => r.outputTokens), [44, 109, 31, 400]);
});

Deno.test("lengths: Poisson arrivals from the rate and seed, deterministic", async () => {
  const a = await readAll({ path: fixture("lengths_small.csv"), ratePerS: 2, seed: 7 });
  const b = await readAll({ path: fixture("lengths_small.csv"), ratePerS: 2, seed: 7 });
  const c = await readAll({ path: fixture("lengths_small.csv"), ratePerS: 2, seed: 8 });
  equal(a.source.format, "lengths");
  deepEqual(a.requests.map((r) => r.promptTokens), [3772, 2015, 100, 800]);
  deepEqual(a.requests.map((r) => r.outputTokens), [54, 156, 1, 300]);
  equal(a.requests[0].arrivalMs, 0);
  for (let i = 1; i < 4; i++) ok(a.requests[i].arrivalMs > a.requests[i - 1].arrivalMs);
  deepEqual(a.requests.map((r) => r.arrivalMs), b.requests.map((r) => r.arrivalMs));
  ok(a.requests[3].arrivalMs !== c.requests[3].arrivalMs, "the seed must matter");
  await rejects(() => openTrace({ path: fixture("lengths_small.csv") }), RangeError);
});

Deno.test("lengths: mean generated gap matches the rate", async () => {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    const rows = Array.from({ length: 4000 }, (_, i) => `${100 + i},10`);
    await writeLines(path, ["num_prefill_tokens,num_decode_tokens", ...rows]);
    const { requests } = await readAll({ path, ratePerS: 20, seed: 3 });
    const meanGapMs = requests[requests.length - 1].arrivalMs / (requests.length - 1);
    ok(Math.abs(meanGapMs - 50) < 2.5, `mean gap ${meanGapMs} ms, want ~50`);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("burstgpt: zero-response rows are skipped and counted, quoted fields read", async () => {
  const { requests, stats, source } = await readAll({ path: fixture("burstgpt_small.csv") });
  equal(source.format, "burstgpt");
  deepEqual(requests.map((r) => r.arrivalMs), [0, 113_000, 113_000, 628_000]);
  deepEqual(requests.map((r) => r.promptTokens), [472, 417, 2048, 1504]);
  deepEqual(requests.map((r) => r.outputTokens), [18, 314, 120, 87]);
  equal(stats.rows, 6);
  equal(stats.skippedZeroOutput, 2);
  equal(stats.skipped, 0);
});

Deno.test("formats without block ids get fresh ids that are never reused", async () => {
  const { requests } = await readAll({ path: fixture("azure_small.csv") });
  const seen = new Set<number>();
  let total = 0;
  for (const r of requests) {
    equal(r.blocks.length, Math.ceil(r.promptTokens / 64));
    for (const b of r.blocks) seen.add(b);
    total += r.blocks.length;
  }
  equal(seen.size, total);
});

Deno.test("mooncake hash ids ≥ 2^32 map to distinct 32-bit ids, equal in, equal out", async () => {
  const big = 2 ** 40;
  const path = await Deno.makeTempFile({ suffix: ".jsonl" });
  try {
    const rows: MooncakeRow[] = [
      { timestamp: 0, input_length: 1500, output_length: 1, hash_ids: [7, big, big + 1] },
      { timestamp: 1, input_length: 1500, output_length: 1, hash_ids: [7, big, big + 2] },
      { timestamp: 2, input_length: 600, output_length: 1, hash_ids: [big + 1, 8] },
    ];
    await writeLines(path, rows.map(formatMooncakeRow));
    const { requests } = await readAll({ path });
    const [a, b, c] = requests.map((r) => [...r.blocks]);
    equal(a[0], 7);
    equal(a[1], b[1]);
    ok(a[2] !== b[2]);
    equal(c[0], a[2]);
    equal(c[1], 8);
    equal(new Set([a[1], a[2], b[2], 7, 8]).size, 5);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("window: --start/--duration select trace time and re-base to 0; --limit caps", async () => {
  const path = fixture("mooncake_small.jsonl");
  const w = await readAll({ path, startS: 3, durationS: 3.5 });
  deepEqual(w.requests.map((r) => r.arrivalMs), [0, 3000, 3000]);
  deepEqual(w.requests.map((r) => r.promptTokens), [1600, 512, 2100]);
  equal(w.stats.beforeStart, 2);
  const l = await readAll({ path, limit: 4 });
  equal(l.requests.length, 4);
  equal(l.stats.rows, 4, "reading stops at the limit");
  const none = await readAll({ path, startS: 100 });
  equal(none.requests.length, 0);
  equal(none.stats.beforeStart, 6);
});

Deno.test("rate scaling 2× halves every arrival: twice the throughput demand", async () => {
  for (const name of ["mooncake_small.jsonl", "azure_small.csv", "vidur_small.csv"]) {
    const path = fixture(name);
    const x1 = await readAll({ path });
    const x2 = await readAll({ path, rateScale: 2 });
    equal(x2.requests.length, x1.requests.length);
    for (let i = 0; i < x1.requests.length; i++) {
      equal(x2.requests[i].arrivalMs, x1.requests[i].arrivalMs / 2);
      equal(x2.requests[i].promptTokens, x1.requests[i].promptTokens);
    }
    const demand = (s: TraceStats) => (s.promptTokens + s.outputTokens) / s.lastArrivalMs;
    equal(demand(x2.stats), 2 * demand(x1.stats), name);
  }
});

for (const c of MALFORMED_CASES) {
  Deno.test(`malformed: ${c.problem} (${c.file}) names file, line and field`, async () => {
    const path = fixture("malformed/" + c.file);
    const options = { path, ratePerS: 1 };
    const err = await scanTrace(options).then(() => null, (e) => e);
    ok(err instanceof InputError, `expected an InputError, got ${err}`);
    equal(err.file, path);
    equal(err.line, c.line);
    equal(err.field, c.field);
    ok(err.message.startsWith(expectedWhere(path, c)), err.message);
    ok(c.detail.test(err.message), err.message);
  });
  Deno.test(`malformed: ${c.problem} (${c.file}) with skipBad`, async () => {
    const path = fixture("malformed/" + c.file);
    if (c.withSkipBad === null) {
      await rejects(() => scanTrace({ path, ratePerS: 1, skipBad: true }), InputError);
      return;
    }
    const stats = await scanTrace({ path, ratePerS: 1, skipBad: true });
    equal(stats.requests, c.withSkipBad);
    equal(stats.skipped, 1);
    ok(stats.firstSkipped.startsWith(expectedWhere(path, c)), stats.firstSkipped);
  });
}

Deno.test("a file whose rows are all malformed is an error even with skipBad", async () => {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    await writeLines(path, ["arrived_at,num_prefill_tokens,num_decode_tokens", "x,1,1", "y,1,1"]);
    await rejects(
      () => scanTrace({ path, skipBad: true }),
      (e: Error) => e instanceof InputError && /no valid rows: all 2/.test(e.message),
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("a missing file is an InputError naming it", async () => {
  await rejects(
    () => scanTrace({ path: fixture("no-such-trace.jsonl") }),
    (e: Error) => e instanceof InputError && e.message.includes("no-such-trace.jsonl"),
  );
});

Deno.test("TraceSource rejects bad options", () => {
  const path = fixture("mooncake_small.jsonl");
  throws(() => new TraceSource({ path, format: "auto" }), RangeError);
  throws(() => new TraceSource({ path, format: "mooncake", rateScale: 0 }), RangeError);
  throws(() => new TraceSource({ path, format: "mooncake", startS: -1 }), RangeError);
  throws(() => new TraceSource({ path, format: "mooncake", durationS: 0 }), RangeError);
  throws(() => new TraceSource({ path, format: "mooncake", limit: 1.5 }), RangeError);
});

// ---- round trips: any valid trace written by the writers reads back unchanged ----

const tokens = fc.integer({ min: 1, max: 40_000 });

/** Valid Mooncake rows: non-decreasing timestamps, hash_ids sized to the prompt. */
const mooncakeRows = fc.array(
  fc.record({
    gap: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 0, max: 100_000 }),
      fc.double({
        min: 0,
        max: 1e6,
        noNaN: true,
      }),
    ),
    input: tokens,
    output: tokens,
    idSeed: fc.array(fc.oneof(fc.nat(5000), fc.integer({ min: 0, max: 2 ** 53 - 100 })), {
      minLength: 80,
      maxLength: 80,
    }),
  }),
  { minLength: 1, maxLength: 40 },
).map((specs) => {
  let t = 0;
  return specs.map((s, i): MooncakeRow => {
    if (i > 0) t += s.gap;
    const n = Math.ceil(s.input / 512);
    return {
      timestamp: t,
      input_length: s.input,
      output_length: s.output,
      hash_ids: Array.from({ length: n }, (_, k) => s.idSeed[k % s.idSeed.length] + k),
    };
  });
});

async function withTemp<T>(suffix: string, fn: (path: string) => Promise<T>): Promise<T> {
  const path = await Deno.makeTempFile({ suffix });
  try {
    return await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("property: Mooncake rows round-trip through writer and reader (plain and gzip)", async () => {
  await fc.assert(
    fc.asyncProperty(mooncakeRows, fc.boolean(), async (rows, gzip) => {
      await withTemp(gzip ? ".jsonl.gz" : ".jsonl", async (path) => {
        await writeLines(path, rows.map(formatMooncakeRow));
        const { requests, stats } = await readAll({ path });
        equal(stats.requests, rows.length);
        // Block ids: equal hash ids ⇔ equal block ids, across the whole trace.
        const byHash = new Map<number, number>();
        const byBlock = new Map<number, number>();
        for (let i = 0; i < rows.length; i++) {
          const r = requests[i];
          equal(r.arrivalMs, rows[i].timestamp - rows[0].timestamp);
          equal(r.promptTokens, rows[i].input_length);
          equal(r.outputTokens, rows[i].output_length);
          equal(r.blocks.length, rows[i].hash_ids.length);
          rows[i].hash_ids.forEach((h, k) => {
            const b = r.blocks[k];
            equal(byHash.get(h) ?? b, b);
            equal(byBlock.get(b) ?? h, h);
            byHash.set(h, b);
            byBlock.set(b, h);
            if (h < 2 ** 32) equal(b, h, "32-bit ids are kept as they are");
          });
        }
      });
    }),
    { numRuns: 60 },
  );
});

Deno.test("property: Azure, Vidur and BurstGPT rows round-trip through writer and reader", async () => {
  const rowsArb = fc.array(
    fc.record({ gapTicks: fc.integer({ min: 0, max: 5e9 }), input: tokens, output: tokens }),
    { minLength: 1, maxLength: 40 },
  );
  await fc.assert(
    fc.asyncProperty(rowsArb, fc.integer({ min: 0, max: 2e9 }), async (specs, baseS) => {
      let ticks = 0;
      const rows = specs.map((s, i) => {
        if (i > 0) ticks += s.gapTicks;
        return { ticks, input: s.input, output: s.output };
      });
      // Azure: 100-ns ticks, written with 7 fractional digits.
      await withTemp(".csv", async (path) => {
        await writeLines(path, [
          "TIMESTAMP,ContextTokens,GeneratedTokens",
          ...rows.map((r) => `${formatAzureTimestamp(baseS, r.ticks)},${r.input},${r.output}`),
        ]);
        const { requests } = await readAll({ path });
        deepEqual(
          requests.map((q) => [q.arrivalMs, q.promptTokens, q.outputTokens]),
          rows.map((r) => [r.ticks / 1e4, r.input, r.output]),
        );
      });
      // Vidur and BurstGPT: seconds as written by JavaScript (shortest round-trip form).
      const seconds = rows.map((r) => r.ticks / 1e7);
      await withTemp(".csv", async (path) => {
        await writeLines(path, [
          "arrived_at,num_prefill_tokens,num_decode_tokens",
          ...rows.map((r, i) =>
            formatVidurRow({
              arrived_at: seconds[i],
              num_prefill_tokens: r.input,
              num_decode_tokens: r.output,
            })
          ),
        ]);
        const { requests } = await readAll({ path });
        deepEqual(
          requests.map((q) => [q.arrivalMs, q.promptTokens, q.outputTokens]),
          rows.map((r, i) => [seconds[i] * 1000 - seconds[0] * 1000, r.input, r.output]),
        );
      });
      await withTemp(".csv", async (path) => {
        await writeLines(path, [
          "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type",
          ...rows.map((r, i) =>
            formatBurstGptRow({
              Timestamp: seconds[i],
              Model: i % 2 ? "GPT-4" : "Chat, GPT",
              "Request tokens": r.input,
              "Response tokens": r.output,
              "Log Type": "API log",
            })
          ),
        ]);
        const { requests } = await readAll({ path });
        deepEqual(
          requests.map((q) => [q.arrivalMs, q.promptTokens, q.outputTokens]),
          rows.map((r, i) => [seconds[i] * 1000 - seconds[0] * 1000, r.input, r.output]),
        );
      });
    }),
    { numRuns: 40 },
  );
});
