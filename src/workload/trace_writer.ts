/**
 * Writes text lines to a file or stdout, gzip-compressed when the path ends in
 * `.gz`, in large chunks and without holding more than one chunk in memory.
 *
 * @module
 */

const CHUNK_CHARS = 1 << 20;

/**
 * Writes `lines` (each followed by `\n`) to `path`, or to stdout when `path` is `null`
 * or `"-"`. A path ending in `.gz` is written gzip-compressed. Returns the line count.
 *
 * @example
 * ```ts
 * import { writeLines } from "./trace_writer.ts";
 * const path = await Deno.makeTempFile({ suffix: ".txt" });
 * await writeLines(path, ["a", "b"]);
 * if (await Deno.readTextFile(path) !== "a\nb\n") throw new Error("unexpected");
 * await Deno.remove(path);
 * ```
 */
export async function writeLines(
  path: string | null,
  lines: Iterable<string>,
): Promise<number> {
  const toStdout = path === null || path === "-";
  const file = toStdout
    ? null
    : await Deno.open(path, { write: true, create: true, truncate: true });
  const sink = file ? file.writable : Deno.stdout.writable;
  const gzip = !toStdout && path.endsWith(".gz");
  let writer: WritableStreamDefaultWriter<Uint8Array>;
  let piped: Promise<void> | null = null;
  if (gzip) {
    const cs = new CompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>;
    piped = cs.readable.pipeTo(sink);
    writer = cs.writable.getWriter();
  } else {
    writer = sink.getWriter();
  }
  const enc = new TextEncoder();
  let buf = "";
  let count = 0;
  try {
    for (const line of lines) {
      buf += line + "\n";
      count++;
      if (buf.length >= CHUNK_CHARS) {
        await writer.write(enc.encode(buf));
        buf = "";
      }
    }
    if (buf.length > 0) await writer.write(enc.encode(buf));
    if (toStdout && !gzip) {
      writer.releaseLock(); // leave stdout open
    } else {
      await writer.close();
    }
    if (piped) await piped;
  } catch (e) {
    await writer.abort(e).catch(() => {});
    if (piped) await piped.catch(() => {});
    throw e;
  }
  return count;
}
