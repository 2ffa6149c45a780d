// The docs: the README stays a short front door, every relative link resolves, and every
// generated block (tables, figures, flag references) is what its command prints today.
import { equal, ok, throws } from "node:assert/strict";
import { runTask } from "./_cli.ts";
import { findBlocks, replaceBlocks } from "../tasks/docs.ts";

const ROOT = new URL("../", import.meta.url);
const PERMS = ["--allow-read", "--allow-write", "--allow-env", "--allow-run"];

async function pages(): Promise<string[]> {
  const files = ["README.md"];
  for await (const e of Deno.readDir(new URL("docs/", ROOT))) {
    if (e.isFile && e.name.endsWith(".md")) files.push(`docs/${e.name}`);
  }
  return files.sort();
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replaceAll(" ", "-");
}

function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const m = !fenced && /^#{1,6} (.+)$/.exec(line);
    if (m) out.add(slug(m[1]));
  }
  return out;
}

Deno.test("README is a front door of at most 10 KB", async () => {
  const bytes = (await Deno.readFile(new URL("README.md", ROOT))).length;
  ok(bytes <= 10_000, `README.md has ${bytes} bytes`);
});

Deno.test("docs: every relative link and anchor resolves", async () => {
  const problems: string[] = [];
  for (const page of await pages()) {
    const url = new URL(page, ROOT);
    const text = await Deno.readTextFile(url);
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
      const [path, anchor] = target.split("#");
      const file = path === "" ? url : new URL(path, url);
      let body: string;
      try {
        body = await Deno.readTextFile(file);
      } catch {
        problems.push(`${page}: no file '${path}'`);
        continue;
      }
      if (anchor !== undefined && !anchors(body).has(anchor)) {
        problems.push(`${page}: no heading '#${anchor}' in '${path || page}'`);
      }
    }
  }
  equal(problems.join("\n"), "");
});

Deno.test("docs blocks: a block needs its end, a plain deno task command, no nesting", () => {
  const open = "<!-- docs:run deno task sim --help -->";
  const end = "<!-- docs:end -->";
  throws(() => findBlocks(`${open}\ntext\n`), /has no end/);
  throws(() => findBlocks(`${open}\n${open}\n${end}\n`), /nested/);
  throws(() => findBlocks(`${end}\n`), /ends no block/);
  throws(() => findBlocks("<!-- docs:run rm -rf / -->\n<!-- docs:end -->\n"), /plain 'deno task'/);
  throws(
    () => findBlocks("<!-- docs:run deno task sim; rm x -->\n<!-- docs:end -->\n"),
    /plain 'deno task'/,
  );
  const page = `a\n\n${open}\n\nold\n\n${end}\n\nb\n`;
  equal(replaceBlocks(page, () => undefined), page);
  equal(replaceBlocks(page, () => "new"), `a\n\n${open}\n\nnew\n\n${end}\n\nb\n`);
});

Deno.test("docs --check fails on a stale block and names it; docs rewrites it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.copyFile(new URL("deno.json", ROOT), `${dir}/deno.json`);
    await Deno.mkdir(`${dir}/docs`);
    await Deno.writeTextFile(`${dir}/README.md`, "# x\n");
    const stale = "# y\n\n<!-- docs:gen bench-checks -->\n\n| old |\n\n<!-- docs:end -->\n";
    await Deno.writeTextFile(`${dir}/docs/y.md`, stale);
    const check = await runTask("docs", ["--check", "--root", dir], PERMS);
    equal(check.code, 1, check.stderr);
    ok(check.stderr.includes("docs/y.md: the block of 'bench-checks' is stale"), check.stderr);
    equal(await Deno.readTextFile(`${dir}/docs/y.md`), stale);
    const write = await runTask("docs", ["--root", dir], PERMS);
    equal(write.code, 0, write.stderr);
    ok((await Deno.readTextFile(`${dir}/docs/y.md`)).includes("| check "));
    equal((await runTask("docs", ["--check", "--root", dir], PERMS)).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("docs --check: every generated block in README.md and docs/ is current", async () => {
  const r = await runTask("docs", ["--check"], PERMS);
  equal(r.code, 0, `${r.stderr}\n(run 'deno task docs' and commit the result)`);
});
