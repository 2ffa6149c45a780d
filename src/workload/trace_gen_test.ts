import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { formatMooncakeRow } from "./mooncake.ts";
import { generateMooncakeRows, TRACE_GEN_DEFAULTS } from "./trace_gen.ts";
import { scanTrace } from "./trace_reader.ts";
import { writeLines } from "./trace_writer.ts";

Deno.test("trace gen: same seed, same rows; other seed, other rows", () => {
  const spec = { ...TRACE_GEN_DEFAULTS, requests: 200 };
  deepEqual([...generateMooncakeRows(spec)], [...generateMooncakeRows(spec)]);
  const other = [...generateMooncakeRows({ ...spec, seed: 2 })];
  ok(JSON.stringify(other) !== JSON.stringify([...generateMooncakeRows(spec)]));
});

Deno.test("trace gen: the prefix-sharing ratio is what an unbounded cache would hit", () => {
  for (const ratio of [0, 0.3, 0.8]) {
    const seen = new Set<number>();
    let blocks = 0, hits = 0;
    for (
      const row of generateMooncakeRows({
        ...TRACE_GEN_DEFAULTS,
        requests: 3000,
        prefixRatio: ratio,
        prefixGroups: 8,
      })
    ) {
      equal(row.hash_ids.length, Math.ceil(row.input_length / 512));
      let leading = true;
      for (const id of row.hash_ids) {
        leading &&= seen.has(id);
        if (leading) hits++;
        seen.add(id);
      }
      blocks += row.hash_ids.length;
    }
    const hitRate = hits / blocks;
    ok(Math.abs(hitRate - ratio) < 0.05, `ratio ${ratio}: hit rate ${hitRate}`);
  }
});

Deno.test("trace gen: rows are a valid trace with the requested rate", async () => {
  const path = await Deno.makeTempFile({ suffix: ".jsonl.gz" });
  try {
    const spec = { ...TRACE_GEN_DEFAULTS, requests: 2000, ratePerS: 25 };
    await writeLines(path, [...generateMooncakeRows(spec)].map(formatMooncakeRow));
    const stats = await scanTrace({ path });
    equal(stats.format, "mooncake");
    equal(stats.requests, 2000);
    const rate = (stats.requests - 1) / (stats.lastArrivalMs / 1000);
    ok(Math.abs(rate - 25) < 2, `rate ${rate}`);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("trace gen: bad specs are RangeErrors", () => {
  const d = TRACE_GEN_DEFAULTS;
  throws(() => generateMooncakeRows({ ...d, prefixRatio: 1.5 }).next(), RangeError);
  throws(() => generateMooncakeRows({ ...d, ratePerS: 0 }).next(), RangeError);
  throws(() => generateMooncakeRows({ ...d, prefixGroups: 0 }).next(), RangeError);
  throws(() => generateMooncakeRows({ ...d, requests: -1 }).next(), RangeError);
});
