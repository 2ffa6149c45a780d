/**
 * Paths as the user means them. `deno task` runs a command in the repository root,
 * not where the user typed it, and says where that was in `INIT_CWD`; every path a
 * user gives a command (`--out`, `--trace`, `--policy`, `report DIR`, …) is resolved
 * against that directory, so `cd data/traces && deno task sim --out x` writes
 * `data/traces/x`. Recorded configurations keep the path as the user gave it, so that
 * results read the same on every machine; messages about files written name the
 * resolved path.
 *
 * @module
 */

import { isAbsolute, resolve } from "node:path";

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
