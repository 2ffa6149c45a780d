// The layers of DESIGN.md ("Layers"): each folder of src/ may import only the folders its
// row names (and itself). The graph is read from the sources' import and export
// statements (static and dynamic); a forbidden edge fails the test with its file and
// line. Test files may also import src/testing/.
import { deepEqual, equal } from "node:assert/strict";
import { join, relative } from "node:path";

const ROOT = new URL("../", import.meta.url).pathname;

/** Folder → the folders it may import (besides itself). */
export const LAYERS: Readonly<Record<string, readonly string[]>> = {
  core: [],
  index: ["core"],
  fleet: ["core", "index"],
  policy: ["core"],
  model: ["core"],
  worker: ["core", "index", "model"],
  workload: ["core"],
  metrics: ["core"],
  report: ["core", "metrics"],
  // The simulator records summaries (metrics/), beyond DESIGN's "all of the above".
  sim: ["core", "index", "fleet", "policy", "model", "worker", "workload", "metrics"],
  engine: ["core", "model", "worker", "workload", "metrics", "index"],
  proxy: ["core", "index", "fleet", "policy", "model", "engine", "workload", "metrics"],
  load: ["core", "engine", "workload", "metrics", "report"],
  // Policy authors' fixtures need a context with the preset's prefill estimate (model/).
  testing: ["core", "policy", "index", "fleet", "model"],
  cli: ["*"],
};

/** One import edge. */
export interface Edge {
  readonly file: string;
  readonly line: number;
  readonly target: string;
}

const SPEC =
  /(?:^|[^\w.])(?:import|export)\s*(?:type\s+)?(?:[^'"`;]*?\sfrom\s*)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** The relative import edges of one source text (comments stripped). */
export function edgesOf(file: string, text: string): Edge[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "))
    .replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  const out: Edge[] = [];
  for (const m of code.matchAll(SPEC)) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith(".")) continue;
    const line = code.slice(0, m.index).split("\n").length;
    out.push({ file, line, target: relative(ROOT, join(file, "..", spec)) });
  }
  return out;
}

/** Every forbidden edge of `edges` (files relative to the repository root). */
export function violations(edges: readonly Edge[]): string[] {
  const bad: string[] = [];
  for (const e of edges) {
    const rel = relative(ROOT, e.file);
    const [top, folder] = rel.split("/");
    if (top !== "src") continue;
    const where = `${rel}:${e.line} imports ${e.target}`;
    const [ttop, tfolder] = e.target.split("/");
    if (ttop !== "src") {
      // The package's own deno.json (its version) is read by the commands only.
      if (e.target === "deno.json" && folder === "cli") continue;
      bad.push(`${where} (src/ never imports ${ttop}${tfolder === undefined ? "" : "/"})`);
      continue;
    }
    if (tfolder === folder) continue;
    const allowed = LAYERS[folder];
    if (!allowed) {
      bad.push(`${where} (src/${folder}/ has no row in the layer table)`);
      continue;
    }
    if (allowed.includes("*") || allowed.includes(tfolder)) continue;
    if (rel.endsWith("_test.ts") && tfolder === "testing") continue;
    bad.push(`${where} (src/${folder}/ may import only ${allowed.join(", ") || "itself"})`);
  }
  return bad;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory && e.name !== "testdata") out.push(...await sourceFiles(p));
    else if (e.isFile && p.endsWith(".ts")) out.push(p);
  }
  return out;
}

Deno.test("import graph: every edge in src/ follows the layer table", async () => {
  const edges: Edge[] = [];
  for (const f of await sourceFiles(join(ROOT, "src"))) {
    edges.push(...edgesOf(f, await Deno.readTextFile(f)));
  }
  equal(edges.length > 300, true, `only ${edges.length} edges found: the parser is broken`);
  deepEqual(violations(edges), []);
});

Deno.test("import graph: a forbidden edge is caught, with its file and line", () => {
  const policy = join(ROOT, "src/policy/x.ts");
  const text = [
    'import { FleetState } from "../fleet/fleet_state.ts";',
    'import type { Policy } from "./types.ts";',
    "// import { simulate } from '../sim/simulator.ts';",
    'const m = await import("../report/render_svg.ts");',
    'export * from "../core/types.ts";',
  ].join("\n");
  deepEqual(violations(edgesOf(policy, text)), [
    "src/policy/x.ts:1 imports src/fleet/fleet_state.ts (src/policy/ may import only core)",
    "src/policy/x.ts:4 imports src/report/render_svg.ts (src/policy/ may import only core)",
  ]);
  const engine = join(ROOT, "src/engine/emulator/server.ts");
  deepEqual(violations(edgesOf(engine, 'import { simulate } from "../../sim/simulator.ts";')), [
    "src/engine/emulator/server.ts:1 imports src/sim/simulator.ts (src/engine/ may import only " +
    "core, model, worker, workload, metrics, index)",
  ]);
  const sim = join(ROOT, "src/sim/x_test.ts");
  deepEqual(
    violations(edgesOf(sim, 'import "../../tests/_cli.ts";\nimport "../testing/fleet.ts";')),
    [
      "src/sim/x_test.ts:1 imports tests/_cli.ts (src/ never imports tests/)",
    ],
  );
});
