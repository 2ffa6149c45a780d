/**
 * Renders Vega-Lite specs to SVG text, headless (no canvas, no DOM, no network).
 * Vega is loaded on first use, so importing this module costs nothing.
 *
 * @module
 */

import type { TopLevelSpec } from "vega-lite";

type VegaModules = [typeof import("vega"), typeof import("vega-lite")];
let modules: Promise<VegaModules> | null = null;

function loadVega(): Promise<VegaModules> {
  modules ??= Promise.all([import("vega"), import("vega-lite")]);
  return modules;
}

/** Starts loading Vega and Vega-Lite (so that a later render does not wait for it). */
export async function preloadVega(): Promise<void> {
  await loadVega();
}

/** Versions of the Vega and Vega-Lite modules in use (loads them). */
export async function vegaVersions(): Promise<Record<string, string>> {
  const [vega, vl] = await loadVega();
  return { vega: vega.version, "vega-lite": vl.version };
}

/**
 * Renders a Vega-Lite spec to a standalone SVG document.
 *
 * @param spec The spec (with its data inline).
 * @example
 * ```ts
 * import { renderSvg } from "./render_svg.ts";
 * const svg = await renderSvg({
 *   data: { values: [{ x: 1, y: 2 }, { x: 2, y: 3 }] },
 *   mark: "line",
 *   encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
 * });
 * if (!svg.startsWith("<svg") || !svg.includes("mark-line")) throw new Error("no line drawn");
 * ```
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vl] = await loadVega();
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Prefixes every element id of an SVG document (and the references to them), so that
 * several SVGs can be inlined in one HTML page without id clashes.
 *
 * @example
 * ```ts
 * import { prefixSvgIds } from "./render_svg.ts";
 * const svg = prefixSvgIds('<clipPath id="clip1"/><g clip-path="url(#clip1)"/>', "a-");
 * if (svg !== '<clipPath id="a-clip1"/><g clip-path="url(#a-clip1)"/>') throw new Error(svg);
 * ```
 */
export function prefixSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}$1"`);
}
