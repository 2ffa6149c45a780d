/**
 * The worker behind a threaded `RunExporter`: owns a {@linkcode RunWriter},
 * replays the batches it is sent and hands each batch's buffer back for reuse.
 *
 * @module
 */

import { applyOps, type FromWorker, type ToWorker } from "./_export_ops.ts";
import { renderSvg } from "./render_svg.ts";
import { plotSpecs } from "./plot_specs.ts";
import { ReportBuilder } from "./report_data.ts";
import { RunWriter } from "./run_writer.ts";

interface WorkerScope {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;
let writer: RunWriter | null = null;
let failed = false;

function fail(e: unknown): void {
  failed = true;
  writer?.abort();
  scope.postMessage({ t: "error", message: e instanceof Error ? e.message : String(e) });
}

/** Renders the report's plots once on tiny data, so that the real render runs warm. */
async function warmUp(): Promise<void> {
  const b = new ReportBuilder(1000);
  const s = b.series("warm-up", "p");
  b.setFleet(s, [1, 2]);
  b.addSample(s, 0, new Float64Array(10), 0);
  for (const p of plotSpecs(b.build(), { ttftMs: [1], tpotMs: [1] })) await renderSvg(p.spec);
}

scope.onmessage = (e: MessageEvent<ToWorker>): void => {
  if (failed) return;
  const m = e.data;
  try {
    switch (m.t) {
      case "open":
        writer = new RunWriter(m.dir, m.sampleMs, m.label);
        // Load (and warm up) the plotting code while the simulation runs.
        warmUp().catch(fail);
        break;
      case "policy":
        writer!.startPolicy(m.name);
        break;
      case "batch":
        applyOps(writer!, m.buf, m.length);
        scope.postMessage({ t: "ack", buf: m.buf }, [m.buf.buffer]);
        break;
      case "finish":
        writer!.finish(m.meta).then(
          (files) => scope.postMessage({ t: "done", files }),
          fail,
        );
        break;
    }
  } catch (err) {
    fail(err);
  }
};
