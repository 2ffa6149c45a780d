/**
 * An export folder written whole or not at all: a run is written to a hidden folder
 * beside the target (`.<name>.partial-<random>`) and renamed into place when complete,
 * so an interrupted run leaves the target as it was (a previous run, or nothing), never
 * a mix of two runs.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { RUN_FILES } from "./run_writer.ts";
import { PLOTS_DIR } from "./write_report.ts";

/** Names an export folder holds; a folder holding nothing else may be replaced. */
const EXPORT_ENTRIES: ReadonlySet<string> = new Set([...Object.values(RUN_FILES), PLOTS_DIR]);

/**
 * Why `target` cannot receive an export, or `null` when it can: it is missing, an empty
 * folder, or a folder holding only what an export writes (a previous run, replaced when
 * the new one is complete). A file, or a folder with anything else in it, is refused, so
 * that nothing of the user's is ever deleted.
 *
 * @example
 * ```ts
 * import { exportTargetProblem } from "./staged_dir.ts";
 * const file = Deno.makeTempFileSync();
 * if (exportTargetProblem(file) === null) throw new Error("a file is no export folder");
 * Deno.removeSync(file);
 * ```
 */
export function exportTargetProblem(target: string): string | null {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(target);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    return `cannot create directory '${target}': ${(e as Error).message}`;
  }
  if (!info.isDirectory) return `'${target}' is a file, not a folder`;
  const others: string[] = [];
  for (const entry of Deno.readDirSync(target)) {
    if (!EXPORT_ENTRIES.has(entry.name)) others.push(entry.name);
  }
  if (others.length === 0) return null;
  const shown = others.sort().slice(0, 3).map((n) => `'${n}'`).join(", ");
  return `'${target}' holds files that are not a pdrouter export (${shown}` +
    `${others.length > 3 ? ", …" : ""}); choose an empty or new folder`;
}

/**
 * A folder being written beside its target, moved into place by
 * {@linkcode StagedDir.commit} or removed by {@linkcode StagedDir.discard}.
 *
 * @example
 * ```ts
 * import { StagedDir } from "./staged_dir.ts";
 * const parent = Deno.makeTempDirSync();
 * const staged = StagedDir.open(`${parent}/run`);
 * Deno.writeTextFileSync(`${staged.path}/summary.json`, "{}");
 * staged.commit();
 * Deno.statSync(`${parent}/run/summary.json`);
 * Deno.removeSync(parent, { recursive: true });
 * ```
 */
export class StagedDir {
  /** Where the folder goes when complete. */
  readonly target: string;
  /** Where it is written meanwhile. */
  readonly path: string;
  #done = false;

  private constructor(target: string, path: string) {
    this.target = target;
    this.path = path;
  }

  /**
   * Creates the hidden folder beside `target` (and `target`'s parent when missing).
   *
   * @throws {Deno.errors.PermissionDenied | Deno.errors.NotADirectory} When the parent
   *   cannot be created or written.
   */
  static open(target: string): StagedDir {
    const parent = dirname(target);
    Deno.mkdirSync(parent, { recursive: true });
    const path = Deno.makeTempDirSync({ dir: parent, prefix: `.${basename(target)}.partial-` });
    return new StagedDir(target, path);
  }

  /** Where a path inside the staged folder lands once committed. */
  finalPath(path: string): string {
    return path.startsWith(this.path) ? this.target + path.slice(this.path.length) : path;
  }

  /**
   * Moves the folder into place, replacing what `target` held (see
   * {@linkcode exportTargetProblem}). Idempotent.
   */
  commit(): void {
    if (this.#done) return;
    this.#done = true;
    let old: string | null = null;
    try {
      Deno.statSync(this.target);
      old = join(dirname(this.target), `.${basename(this.target)}.old-${basename(this.path)}`);
      Deno.renameSync(this.target, old);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    Deno.renameSync(this.path, this.target);
    if (old) Deno.removeSync(old, { recursive: true });
  }

  /** Removes the staged folder (after a failed or interrupted run). Idempotent. */
  discard(): void {
    if (this.#done) return;
    this.#done = true;
    try {
      Deno.removeSync(this.path, { recursive: true });
    } catch {
      // Already gone.
    }
  }
}
