import { equal } from "node:assert/strict";
import { forEachGolden, GOLDEN_CASES, goldenPath } from "./_goldens.ts";

// `deno task sim --json` must reproduce the recorded outputs byte for byte; a result
// changes only in a `goldens: <why>` commit (`deno task goldens --update`).
Deno.test("goldens: sim --json reproduces every recorded output byte for byte", async () => {
  const differ: string[] = [];
  await forEachGolden(GOLDEN_CASES, 2, async (c, stdout) => {
    if (stdout !== await Deno.readTextFile(goldenPath(c))) differ.push(c.name);
  });
  equal(differ.sort().join(", "), "", `cases whose output changed: ${differ.join(", ")}`);
});
