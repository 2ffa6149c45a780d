import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { InputError } from "../core/errors.ts";
import { CsvFileWriter, csvNumber, readCsv } from "./csv.ts";

async function collect(path: string, required: string[] = []) {
  const rows = [];
  for await (const row of readCsv(path, required)) rows.push(row);
  return rows;
}

Deno.test("CsvFileWriter + readCsv round-trip any text and any finite number", async () => {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true })), {
          maxLength: 30,
        }),
        async (rows) => {
          const w = new CsvFileWriter(path, ["text", "value_ms"]);
          for (const [text, value] of rows) w.write([text, value]);
          w.close();
          const back = await collect(path, ["text", "value_ms"]);
          // csv-parse skips rows that are entirely empty; a one-column empty string row
          // cannot occur here since every row has two fields.
          equal(back.length, rows.length);
          back.forEach((row, i) => {
            equal(row.fields.text, rows[i][0]);
            equal(csvNumber(row, path, "value_ms"), rows[i][1] === 0 ? 0 : rows[i][1]);
          });
        },
      ),
      { numRuns: 60 },
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("CsvFileWriter quotes commas, quotes and newlines, writes NaN as empty", async () => {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    const w = new CsvFileWriter(path, ["a", "b"]);
    w.write(['x,"y"\nz', NaN]);
    w.close();
    equal(await Deno.readTextFile(path), 'a,b\n"x,""y""\nz",\n');
    const [row] = await collect(path);
    equal(row.fields.a, 'x,"y"\nz');
    ok(Number.isNaN(csvNumber(row, path, "b", true)));
    throws(() => csvNumber(row, path, "b"), InputError);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("CsvFileWriter rejects a row of the wrong width", async () => {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  const w = new CsvFileWriter(path, ["a", "b"]);
  try {
    throws(() => w.write([1]), /expected 2 fields, got 1/);
  } finally {
    w.close();
    await Deno.remove(path);
  }
});

Deno.test("readCsv names the file, line and field of bad input", async () => {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    await Deno.writeTextFile(path, "id,ttft_ms\n1,12\n2,abc\n");
    await rejects(collect(path, ["id", "tpot_ms"]), (e: InputError) => {
      ok(e instanceof InputError);
      equal(e.line, 1);
      equal(e.field, "tpot_ms");
      return true;
    });
    const rows = await collect(path, ["id"]);
    deepEqual(rows.map((r) => r.line), [2, 3]);
    throws(() => csvNumber(rows[1], path, "ttft_ms"), (e: InputError) => {
      equal(e.message, `${path}:3: field 'ttft_ms' must be a number, got 'abc'`);
      return true;
    });
    await Deno.writeTextFile(path, 'id,ttft_ms\n1,"unterminated\n');
    await rejects(collect(path), InputError);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("CsvFileWriter writes exactly what csv-stringify writes for the same rows", async () => {
  const { stringify } = await import("npm:csv-stringify@6.9.0/sync");
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.string(), fc.double(), fc.constantFrom("a", "b,c", 'd"e')), {
          maxLength: 20,
        }),
        async (rows) => {
          const w = new CsvFileWriter(path, ["x", "y", "z"]);
          for (const r of rows) w.write(r);
          w.close();
          const expected = stringify(
            [["x", "y", "z"], ...rows.map(([a, b, c]) => [a, Number.isNaN(b) ? "" : b, c])],
            { record_delimiter: "\n" },
          );
          equal(await Deno.readTextFile(path), expected);
        },
      ),
      { numRuns: 60 },
    );
  } finally {
    await Deno.remove(path);
  }
});
