import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { InputError } from "../core/errors.ts";
import { LineReader } from "./line_reader.ts";
import { writeLines } from "./trace_writer.ts";

async function readLines(path: string): Promise<{ lines: string[]; gzip: boolean }> {
  const reader = await LineReader.open(path);
  const lines: string[] = [];
  for (let line; (line = await reader.readLine()) !== null;) {
    lines.push(line);
    equal(reader.lineNo, lines.length);
  }
  return { lines, gzip: reader.gzip };
}

async function withBytes<T>(
  bytes: Uint8Array,
  suffix: string,
  fn: (path: string) => Promise<T>,
): Promise<T> {
  const path = await Deno.makeTempFile({ suffix });
  try {
    await Deno.writeFile(path, bytes);
    return await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

const enc = new TextEncoder();

Deno.test("LineReader: LF, CRLF, a BOM, blank lines and no final line end", async () => {
  await withBytes(enc.encode("\ufeffh1,h2\r\n1,2\n\n3,4"), ".csv", async (path) => {
    const { lines, gzip } = await readLines(path);
    deepEqual(lines, ["h1,h2", "1,2", "", "3,4"]);
    equal(gzip, false);
  });
  await withBytes(new Uint8Array(0), ".csv", async (path) => {
    deepEqual((await readLines(path)).lines, []);
  });
});

Deno.test("LineReader: lines spanning many read chunks, plain and gzip, read alike", async () => {
  const lines = Array.from({ length: 30_000 }, (_, i) => `${i},${"x".repeat(i % 97)}`);
  for (const suffix of [".txt", ".txt.gz"]) {
    const path = await Deno.makeTempFile({ suffix });
    try {
      await writeLines(path, lines);
      const got = await readLines(path);
      equal(got.gzip, suffix.endsWith(".gz"));
      equal(got.lines.length, lines.length);
      deepEqual(got.lines, lines);
    } finally {
      await Deno.remove(path);
    }
  }
});

Deno.test("LineReader: gzip is detected from the bytes, not the name", async () => {
  const gz = await new Response(
    new Blob([enc.encode("a\nb\n")]).stream().pipeThrough(new CompressionStream("gzip")),
  ).arrayBuffer();
  await withBytes(new Uint8Array(gz), ".jsonl", async (path) => {
    const { lines, gzip } = await readLines(path);
    ok(gzip);
    deepEqual(lines, ["a", "b"]);
  });
});

Deno.test("LineReader: a missing file or a directory is an InputError naming it", async () => {
  await rejects(
    () => LineReader.open("/nonexistent/trace.csv"),
    (e: Error) => e instanceof InputError && e.message.startsWith("/nonexistent/trace.csv:"),
  );
  const dir = await Deno.makeTempDir();
  try {
    await rejects(() => LineReader.open(dir), InputError);
  } finally {
    await Deno.remove(dir);
  }
});

Deno.test("LineReader: close mid-file releases the file", async () => {
  await withBytes(enc.encode("a\nb\nc\n"), ".txt", async (path) => {
    const reader = await LineReader.open(path);
    equal(await reader.readLine(), "a");
    reader.close();
    reader.close();
  });
});
