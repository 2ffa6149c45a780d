/**
 * Why a gzip file failed to decompress, in words a user can act on. The web
 * `DecompressionStream` says "does not have a matching checksum" for a file cut short
 * and for a corrupt one alike; zlib (`node:zlib`) tells them apart, so the failing file
 * is read once more with it, on the error path only.
 *
 * @module
 */

import { createGunzip } from "node:zlib";

/**
 * What is wrong with the gzip file at `path`: `is truncated: …` when the stream ends
 * early (an interrupted download or copy), else `is not a valid gzip stream: <zlib's
 * reason>`.
 *
 * @example
 * ```ts
 * import { gzipProblem } from "./_gzip_check.ts";
 * const path = Deno.makeTempFileSync({ suffix: ".gz" });
 * const gz = new Uint8Array(await new Response(
 *   new Blob(["hello\n".repeat(1000)]).stream().pipeThrough(new CompressionStream("gzip")),
 * ).arrayBuffer());
 * Deno.writeFileSync(path, gz.subarray(0, gz.length - 10));
 * if (!(await gzipProblem(path)).startsWith("is truncated")) throw new Error("not truncated?");
 * Deno.removeSync(path);
 * ```
 */
export async function gzipProblem(path: string): Promise<string> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (e) {
    return `cannot be read: ${(e as Error).message}`;
  }
  const gunzip = createGunzip();
  const outcome = new Promise<Error | null>((resolve) => {
    gunzip.on("data", () => {});
    gunzip.on("end", () => resolve(null));
    gunzip.on("error", (e: Error) => resolve(e));
  });
  try {
    for await (const chunk of file.readable) {
      if (!gunzip.write(chunk)) {
        await Promise.race([new Promise((r) => gunzip.once("drain", r)), outcome]);
      }
    }
    gunzip.end();
  } catch (e) {
    gunzip.destroy();
    return `cannot be read: ${(e as Error).message}`;
  }
  const error = await outcome as (Error & { code?: string }) | null;
  if (error?.code === "Z_BUF_ERROR") {
    return "is truncated: its gzip stream ends before it is complete (the file was cut " +
      "short, e.g. by an interrupted download or copy; fetch it again)";
  }
  return `is not a valid gzip stream: ${error ? error.message : "it fails its checksum"}`;
}
