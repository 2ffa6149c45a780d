/**
 * Opens a report in headless Chromium (Debian's `chromium`, driven by playwright-core),
 * prints what a reader would see as one JSON object ({@linkcode PageFacts}) and saves
 * screenshots.
 *
 * It runs as its own process with `-A` because playwright-core, under Deno, probes
 * `/proc/sys/fs/binfmt_misc/WSLInterop` when loaded, which Deno grants only with full
 * access; the test suite itself keeps its narrow permissions.
 *
 * playwright-core is imported by a specifier held in a variable and pinned in a lock
 * file of its own (`tests/browser.lock`), so that it never enters `deno.lock`: Deno
 * installs every npm package of `deno.lock` on the first run of any command, and only
 * this test needs a browser driver (15 MB).
 *
 * Usage: deno run -A --lock=tests/browser.lock tests/_browser.ts REPORT_HTML SCREENSHOT_DIR
 * [CHROMIUM_PATH] [WIDTH_PX] [SCREENSHOT_NAME]
 *
 * @module
 */

import { join, resolve } from "node:path";

/** The browser driver, by a specifier `deno check` does not follow (see above). */
const PLAYWRIGHT: string = "npm:playwright-core@1.65.1";

/** The little of playwright-core's API used here. */
interface Page {
  on(event: "console", f: (m: { type(): string; text(): string }) => void): void;
  on(event: "pageerror", f: (e: Error) => void): void;
  on(event: "request", f: (r: { url(): string }) => void): void;
  goto(url: string, options: { waitUntil: "load" }): Promise<unknown>;
  evaluate<T>(f: () => T): Promise<T>;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  setViewportSize(size: { width: number; height: number }): Promise<void>;
}
interface Browser {
  newPage(options: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}
interface Chromium {
  launch(options: { executablePath: string; args: string[] }): Promise<Browser>;
}

/** What the page showed. */
export interface PageFacts {
  /** Viewport width the page was checked at, px. */
  width: number;
  /** Console errors and warnings, page errors, and requests for anything but `file:`. */
  problems: string[];
  /**
   * What overflows the viewport at `width`: the page scrolling sideways, elements whose
   * right edge lies beyond it, and boxes (table, figures) whose content is cut or
   * scrolls sideways. Empty when the page fits.
   */
  overflows: string[];
  /** Per figure: its plot id, how many SVGs it holds and how many drawn marks. */
  plots: { id: string; svgs: number; marks: number }[];
  /** Rows of the summary table: policy and run, and each cell's field and text. */
  rows: { policy: string; run: string; cells: { field: string; text: string }[] }[];
  /** Screenshots written. */
  screenshots: string[];
}

/** The little of the DOM the page checks use (this file is type-checked without `dom`). */
interface DomNode {
  querySelector(selector: string): DomNode | null;
  querySelectorAll(selector: string): Iterable<DomNode> & { length: number };
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { left: number; right: number; width: number };
  textContent: string | null;
  tagName: string;
  id: string;
  scrollWidth: number;
  clientWidth: number;
}

/**
 * Loads `html` in Chromium at `width` px, collects {@linkcode PageFacts} and saves a
 * full-page screenshot (`<name>.png`) and one of the first screen (`<name>_top.png`).
 */
export async function inspectReport(
  html: string,
  screenshotDir: string,
  executablePath = "/usr/bin/chromium",
  width = 1280,
  name = "report",
): Promise<PageFacts> {
  const { chromium } = await import(PLAYWRIGHT) as { chromium: Chromium };
  const browser = await chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") {
        problems.push(`console ${m.type()}: ${m.text()}`);
      }
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("request", (r) => {
      if (!r.url().startsWith("file:")) problems.push(`network request: ${r.url()}`);
    });
    await page.goto(`file://${resolve(html)}`, { waitUntil: "load" });
    const facts = await page.evaluate(() => {
      const document =
        (globalThis as unknown as { document: DomNode & { documentElement: DomNode } })
          .document;
      const root = document.documentElement;
      const vw = root.clientWidth;
      const overflows: string[] = [];
      const what = (el: DomNode) =>
        `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}` +
        `${el.getAttribute("class") ? `.${el.getAttribute("class")!.split(" ")[0]}` : ""}`;
      if (root.scrollWidth > vw) overflows.push(`the page is ${root.scrollWidth} px wide`);
      for (const el of document.querySelectorAll("body *")) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && (r.right > vw + 0.5 || r.left < -0.5)) {
          overflows.push(`${what(el)} spans ${Math.round(r.left)}..${Math.round(r.right)} px`);
        }
      }
      for (const el of document.querySelectorAll(".table-wrap, figure, header, main")) {
        if (el.scrollWidth > el.clientWidth + 1) {
          overflows.push(
            `${what(el)} is cut: ${el.scrollWidth} px of content in ${el.clientWidth}`,
          );
        }
      }
      return {
        overflows: overflows.slice(0, 20),
        plots: [...document.querySelectorAll("figure[data-plot]")].map((fig) => ({
          id: fig.getAttribute("data-plot") ?? "",
          svgs: fig.querySelectorAll("svg").length,
          marks: [...fig.querySelectorAll("svg g.role-mark > path, svg g.role-mark > text")]
            .filter((el) => (el.getAttribute("d") ?? el.textContent ?? "") !== "").length,
        })),
        rows: [...document.querySelectorAll("table.summary tbody tr")].map((tr) => ({
          policy: tr.getAttribute("data-policy") ?? "",
          run: tr.getAttribute("data-run") ?? "",
          cells: [...tr.querySelectorAll("td[data-field]")].map((td) => ({
            field: td.getAttribute("data-field") ?? "",
            text: td.textContent ?? "",
          })),
        })),
      };
    });
    await Deno.mkdir(screenshotDir, { recursive: true });
    const full = join(screenshotDir, `${name}.png`);
    await page.screenshot({ path: full, fullPage: true });
    const top = join(screenshotDir, `${name}_top.png`);
    await page.screenshot({ path: top });
    return { width, problems, ...facts, screenshots: [full, top] };
  } finally {
    await browser.close();
  }
}

if (import.meta.main) {
  const [html, dir, executable, width, name] = Deno.args;
  console.log(
    JSON.stringify(
      await inspectReport(html, dir ?? "artifacts", executable, Number(width ?? 1280), name),
    ),
  );
}
