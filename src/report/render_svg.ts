/**
 * Renders Vega-Lite specs to SVG text, headless (no canvas, no DOM, no network).
 * Vega is loaded on first use, so importing this module costs nothing.
 *
 * @module
 */

import type { TopLevelSpec } from "npm:vega-lite@6.5.0";

/**
 * A Vega-Lite specification as plain JSON data (see the Vega-Lite docs); checked by
 * Vega-Lite's compiler when rendered.
 */
export type VegaLiteSpec = Record<string, unknown>;

type VegaModules = [typeof import("npm:vega@6.4.0"), typeof import("npm:vega-lite@6.5.0")];
let modules: Promise<VegaModules> | null = null;

function loadVega(): Promise<VegaModules> {
  modules ??= Promise.all([import("npm:vega@6.4.0"), import("npm:vega-lite@6.5.0")]);
  return modules;
}

/** Versions of the Vega and Vega-Lite modules in use (loads them). */
export async function vegaVersions(): Promise<Record<string, string>> {
  const [vega, vl] = await loadVega();
  return { vega: vega.version, "vega-lite": vl.version };
}

/**
 * Renders a Vega-Lite spec to a standalone SVG document (ids renamed by
 * {@linkcode renameSvgIds}, so the same spec always gives the same text).
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
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const [vega, vl] = await loadVega();
  const compiled = vl.compile(spec as unknown as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return renameSvgIds(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/**
 * Renames every element id of an SVG document (and the references to them) to
 * `<prefix>id<n>`, numbered in order of first appearance. Vega numbers its clip paths
 * with a counter that lives as long as the process, so this makes the output of a
 * render independent of what was rendered before it; a distinct prefix per SVG lets
 * several be inlined in one HTML page without id clashes.
 *
 * @example
 * ```ts
 * import { renameSvgIds } from "./render_svg.ts";
 * const svg = renameSvgIds('<g clip-path="url(#clip7)"/><clipPath id="clip7"/>', "a-");
 * if (svg !== '<g clip-path="url(#a-id1)"/><clipPath id="a-id1"/>') throw new Error(svg);
 * ```
 */
export function renameSvgIds(svg: string, prefix = ""): string {
  const names = new Map<string, string>();
  const rename = (id: string): string => {
    let name = names.get(id);
    if (name === undefined) {
      name = `${prefix}id${names.size + 1}`;
      names.set(id, name);
    }
    return name;
  };
  return svg.replace(
    /\bid="([^"]+)"|url\(#([^)]+)\)|href="#([^"]+)"/g,
    (_, id?: string, url?: string, href?: string) =>
      id !== undefined
        ? `id="${rename(id)}"`
        : url !== undefined
        ? `url(#${rename(url)})`
        : `href="#${rename(href!)}"`,
  );
}
