/**
 * The worker behind a threaded `RunExporter`: owns a {@linkcode RunWriter},
 * replays the batches it is sent and hands each batch's buffer back for reuse.
 *
 * @module
 */

import { applyOps } from "./_export_ops.ts";
import { preloadVega } from "./render_svg.ts";
import type { FromWorker, ToWorker } from "./run_exporter.ts";
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

scope.onmessage = (e: MessageEvent<ToWorker>): void => {
  if (failed) return;
  const m = e.data;
  try {
    switch (m.t) {
      case "open":
        writer = new RunWriter(m.dir, m.sampleMs);
        // Load the plotting code while the simulation runs.
        preloadVega().catch(fail);
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
