/**
 * What a cold `deno task sim` downloads: Deno installs every npm package of `deno.lock`
 * on the first run of any command, so a package only a test needs stays out of it. The
 * browser driver (playwright-core, 15 MB) has its own lock file, `tests/browser.lock`,
 * and is imported by a specifier `deno check` does not follow.
 */

import { deepEqual, ok } from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

/** Files under `dir` ending in `.ts`, recursively. */
function* sources(dir: URL): Generator<URL> {
  for (const e of Deno.readDirSync(dir)) {
    const url = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
    if (e.isDirectory) yield* sources(url);
    else if (e.name.endsWith(".ts")) yield url;
  }
}

Deno.test("deno.lock holds no test-only browser driver; no module imports it statically", () => {
  const lock = JSON.parse(Deno.readTextFileSync(new URL("deno.lock", ROOT)));
  const pinned = [...Object.keys(lock.specifiers ?? {}), ...Object.keys(lock.npm ?? {})];
  deepEqual(pinned.filter((k) => k.includes("playwright")), [], "deno.lock pins playwright");
  const browser = JSON.parse(Deno.readTextFileSync(new URL("tests/browser.lock", ROOT)));
  ok("npm:playwright-core@1.65.1" in browser.specifiers, "tests/browser.lock pins it");
  const statics: string[] = [];
  for (const dir of ["src/", "tasks/", "benches/", "tests/", "examples/"]) {
    for (const file of sources(new URL(dir, ROOT))) {
      const text = Deno.readTextFileSync(file);
      if (/(?:^|\n)\s*import\b[^;]*["']npm:playwright/.test(text)) statics.push(file.pathname);
    }
  }
  deepEqual(statics, [], "static imports of playwright");
});
