/**
 * Paths as the user means them. `deno task` runs a command in the repository root,
 * not where the user typed it, and says where that was in `INIT_CWD`; every path a
 * user gives a command (`--out`, `--trace`, `--policy`, `report DIR`, …) is resolved
 * against that directory, so `cd data/traces && deno task sim --out x` writes
 * `data/traces/x`. Recorded configurations keep the path as the user gave it, so that
 * results read the same on every machine; messages about files written name the
 * resolved path. {@linkcode outputDirProblem} and {@linkcode outputFileProblem} tell,
 * before a command does its work, why an output path cannot be written.
 *
 * @module
 */

import { dirname, isAbsolute, resolve } from "node:path";

/**
 * The directory the user ran the command from: `INIT_CWD` when `deno task` set it
 * (an absolute path), else the working directory.
 *
 * @example
 * ```ts
 * import { userCwd } from "./user_path.ts";
 * if (!userCwd().startsWith("/") && !/^[A-Za-z]:/.test(userCwd())) throw new Error("not absolute");
 * ```
 */
export function userCwd(): string {
  let init: string | undefined;
  try {
    init = Deno.env.get("INIT_CWD");
  } catch {
    init = undefined; // no permission to read the environment: the working directory
  }
  return init && isAbsolute(init) ? init : Deno.cwd();
}

/**
 * `path` (as the user gave it) resolved against {@linkcode userCwd}; an absolute path
 * is returned as is.
 *
 * @example
 * ```ts
 * import { userPath } from "./user_path.ts";
 * if (userPath("/tmp/x") !== "/tmp/x") throw new Error("absolute paths stay");
 * ```
 */
export function userPath(path: string): string {
  return resolve(userCwd(), path);
}

/** The nearest of `path` and its ancestors that exists, with what it is. */
function nearestExisting(path: string): { path: string; info: Deno.FileInfo } | null {
  for (let p = resolve(path);; p = dirname(p)) {
    try {
      return { path: p, info: Deno.statSync(p) };
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory)) {
        return null;
      }
    }
    if (dirname(p) === p) return null;
  }
}

/**
 * Why a command cannot write the folder `dir` (created when missing), or `null` when
 * it can as far as can be told before writing: checked before a command does its work,
 * so that a bad `--out` fails at once, naming the flag.
 *
 * @example
 * ```ts
 * import { outputDirProblem } from "./user_path.ts";
 * const file = Deno.makeTempFileSync();
 * if (!outputDirProblem(file)?.includes("is a file")) throw new Error("a file is no folder");
 * Deno.removeSync(file);
 * ```
 */
export function outputDirProblem(dir: string): string | null {
  const found = nearestExisting(dir);
  if (found && !found.info.isDirectory) {
    return found.path === resolve(dir)
      ? `'${dir}' is a file, not a folder`
      : `cannot create directory '${dir}': '${found.path}' is a file`;
  }
  return null;
}

/**
 * Why a command cannot write the file `path` (its folder must exist), or `null` when it
 * can as far as can be told before writing.
 *
 * @example
 * ```ts
 * import { outputFileProblem } from "./user_path.ts";
 * const dir = Deno.makeTempDirSync();
 * if (!outputFileProblem(dir)?.includes("is a folder")) throw new Error("a folder is no file");
 * Deno.removeSync(dir);
 * ```
 */
export function outputFileProblem(path: string): string | null {
  let info: Deno.FileInfo | null = null;
  try {
    info = Deno.statSync(path);
  } catch {
    info = null;
  }
  if (info?.isDirectory) return `'${path}' is a folder; give a file path in it`;
  const parent = dirname(resolve(path));
  const found = nearestExisting(parent);
  if (!found || found.path !== parent) return `the folder '${parent}' does not exist`;
  if (!found.info.isDirectory) return `cannot write '${path}': '${parent}' is a file`;
  return null;
}
