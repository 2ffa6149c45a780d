import { equal, ok } from "node:assert/strict";
import { renameSvgIds, renderSvg } from "./render_svg.ts";

const spec = {
  width: 100,
  height: 50,
  data: { values: [{ x: 1, y: 2 }, { x: 2, y: 1 }] },
  mark: { type: "line", clip: true },
  encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
};

Deno.test("renderSvg gives the same text for the same spec, whatever came before", async () => {
  const first = await renderSvg(spec);
  await renderSvg(spec);
  equal(await renderSvg(spec), first);
  ok(first.includes('clip-path="url(#id1)"') && first.includes('<clipPath id="id1">'));
});

Deno.test("renameSvgIds keeps every reference pointing at its element", () => {
  const svg = '<use href="#b"/><g clip-path="url(#a)"/><clipPath id="a"/><path id="b"/>';
  equal(
    renameSvgIds(svg, "p-"),
    '<use href="#p-id1"/><g clip-path="url(#p-id2)"/><clipPath id="p-id2"/><path id="p-id1"/>',
  );
});
