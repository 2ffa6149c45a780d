/**
 * The NixlConnector's side of a P/D hand-off, emulated over loopback HTTP.
 *
 * - **Prefill engine**: a request with `kv_transfer_params.do_remote_decode` is prefilled
 *   and answered with vLLM's `kv_transfer_params` (`do_remote_prefill`, block ids, engine
 *   id, request id, and this engine's side-channel `remote_host`/`remote_port`); its KV
 *   stays allocated until a decode engine pulls it or the hold times out
 *   (`VLLM_NIXL_ABORT_REQUEST_TIMEOUT`, model seconds).
 * - **Decode engine**: a request carrying those params is admitted for decode (its KV
 *   reserved), then pulls: it asks the prefill engine's side channel for the request
 *   (`POST /kv/read`), pays the model's transfer time for the tokens it does not have
 *   cached, tells the prefill engine to free the blocks (`POST /kv/release`, as NIXL's
 *   completion notification does) and joins the batch. An unknown or expired request, or
 *   one whose prompt differs, follows `kv_load_failure_policy`: `fail` (the request errors)
 *   or `recompute` (it is prefilled here).
 *
 * Real NIXL moves blocks by RDMA and talks over ZMQ; here the side channel carries only
 * what the timing needs. Transfers into this engine are served one at a time (its link).
 *
 * @module
 */

import type { KvTransferParams } from "../vllm/protocol.ts";
import type { EngineLoop } from "./engine_loop.ts";
import type { Job, KvConnector } from "./job.ts";

/** Options of {@linkcode NixlConnector.start}. */
export interface NixlOptions {
  /** The engine. */
  readonly loop: EngineLoop;
  /** This engine's id (`remote_engine_id` in its answers). */
  readonly engineId: string;
  /** Side-channel bind host, also advertised as `remote_host`. */
  readonly host: string;
  /** Side-channel port (0 = a free one). */
  readonly port: number;
  /** How long unpulled KV is held, model ms. */
  readonly holdTimeoutMs: number;
  /** What a failed pull does. */
  readonly loadFailurePolicy: "fail" | "recompute";
  /** `tp_size` in the answers. */
  readonly tpSize: number;
  /** Tokens per block (for the block ids). */
  readonly blockTokens: number;
  /** Log lines. */
  readonly log: (line: string) => void;
}

interface Hold {
  readonly job: Job;
  readonly blockIds: number[];
}

/** The emulated NixlConnector of one engine (both roles; see the module doc). */
export class NixlConnector implements KvConnector {
  /** This engine's id. */
  readonly engineId: string;
  /** Where the side channel listens. */
  readonly host: string;
  /** Its port. */
  readonly port: number;
  readonly #o: NixlOptions;
  readonly #server: Deno.HttpServer;
  readonly #holds = new Map<string, Hold>();
  readonly #pulls = new Set<Promise<unknown>>();
  #nextBlock = 1;
  #linkFreeAtMs = 0;

  private constructor(o: NixlOptions, server: Deno.HttpServer, port: number) {
    this.#o = o;
    this.engineId = o.engineId;
    this.host = o.host;
    this.port = port;
    this.#server = server;
  }

  /** Opens the side channel and returns the connector. */
  static async start(o: NixlOptions): Promise<NixlConnector> {
    const ref: { self?: NixlConnector } = {};
    const ready = Promise.withResolvers<number>();
    const server = Deno.serve({
      hostname: o.host,
      port: o.port,
      onListen: ({ port }) => ready.resolve(port),
    }, (req) => ref.self!.#serve(req));
    ref.self = new NixlConnector(o, server, await ready.promise);
    return ref.self;
  }

  /** Prefilled requests whose KV is still held (`nixl_num_pending_sends`). */
  get pendingSends(): number {
    return this.#holds.size;
  }

  /** Closes the side channel (after in-flight pulls settle). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#pulls]);
    await this.#server.shutdown();
  }

  // ---- prefill side ------------------------------------------------------------------

  hold(job: Job): void {
    const o = this.#o;
    const n = Math.ceil(job.spec.promptTokens / o.blockTokens);
    const blockIds: number[] = [];
    for (let i = 0; i < n; i++) blockIds.push(this.#nextBlock++);
    const id = job.spec.requestId;
    this.#holds.set(id, { job, blockIds });
    const params: KvTransferParams = {
      do_remote_prefill: true,
      do_remote_decode: false,
      remote_block_ids: blockIds,
      remote_engine_id: this.engineId,
      remote_request_id: id,
      remote_host: this.host,
      remote_port: this.port,
      tp_size: o.tpSize,
    };
    job.connector = params;
    o.loop.at(o.loop.nowMs + o.holdTimeoutMs, () => {
      if (!this.#holds.delete(id)) return;
      o.log(`kv: released the expired blocks of request ${id} (not pulled in time)`);
      o.loop.releaseHeld(job, o.loop.nowMs);
    });
  }

  async #serve(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname;
    let body: Record<string, unknown>;
    try {
      body = await req.json();
    } catch {
      return Response.json({ error: "expected a JSON body" }, { status: 400 });
    }
    const id = String(body.remote_request_id ?? "");
    if (path === "/kv/read" && req.method === "POST") {
      const hold = this.#holds.get(id);
      if (body.remote_engine_id !== this.engineId || !hold) {
        return Response.json({ error: `no KV held for request '${id}'` }, { status: 404 });
      }
      return Response.json({ num_tokens: hold.job.spec.promptTokens, block_ids: hold.blockIds });
    }
    if (path === "/kv/release" && req.method === "POST") {
      const hold = this.#holds.get(id);
      if (!hold) return Response.json({ released: false });
      this.#holds.delete(id);
      this.#o.loop.run((now) => this.#o.loop.releaseHeld(hold.job, now));
      return Response.json({ released: true });
    }
    return Response.json({ error: "not found" }, { status: 404 });
  }

  // ---- decode side -------------------------------------------------------------------

  prepare(job: Job): void {
    // The read goes out on arrival, so that its round trip (wall time, which a time scale
    // multiplies) overlaps the queueing instead of adding to the transfer.
    const read = this.#read(job);
    job.connector = read;
    this.#track(read);
  }

  pull(job: Job, tokens: number): void {
    this.#track(this.#pullPromise(job, tokens));
  }

  #track(p: Promise<unknown>): void {
    this.#pulls.add(p);
    p.finally(() => this.#pulls.delete(p));
  }

  async #read(job: Job): Promise<{ failure: string; numTokens: number }> {
    const p = (job.spec.kvParams ?? {}) as KvTransferParams;
    const base = siteOf(String(p.remote_host), Number(p.remote_port));
    try {
      const r = await fetch(`${base}/kv/read`, {
        method: "POST",
        body: pullBody(p),
        signal: AbortSignal.timeout(10_000),
      });
      const answer = await r.json();
      if (!r.ok) return { failure: String(answer?.error ?? `status ${r.status}`), numTokens: -1 };
      return { failure: "", numTokens: Number(answer.num_tokens) };
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return { failure: `cannot reach the prefill engine at ${base}: ${why}`, numTokens: -1 };
    }
  }

  async #pullPromise(job: Job, tokens: number): Promise<void> {
    const o = this.#o, loop = o.loop;
    const startMs = loop.nowMs;
    const p = (job.spec.kvParams ?? {}) as KvTransferParams;
    const base = siteOf(String(p.remote_host), Number(p.remote_port));
    const body = pullBody(p);
    const read = job.connector instanceof Promise ? job.connector : this.#read(job);
    const got = await (read as Promise<{ failure: string; numTokens: number }>);
    let failure = got.failure;
    const numTokens = got.numTokens;
    if (!failure && numTokens !== job.spec.promptTokens) {
      failure = `the prefill engine holds ${numTokens} prompt tokens, this request has ` +
        `${job.spec.promptTokens}`;
    }
    loop.run((now) => {
      if (failure) {
        o.log(
          `kv: pull of request ${p.remote_request_id} failed (${failure}); ` +
            `kv_load_failure_policy=${o.loadFailurePolicy}`,
        );
        loop.pullFailed(job, o.loadFailurePolicy === "recompute", failure, now);
        return;
      }
      // The transfer starts once admitted, the link is free and the front end is through.
      const start = Math.max(startMs, this.#linkFreeAtMs, job.frontReadyMs);
      const end = Math.max(start + loop.model.transferMs(tokens), now);
      this.#linkFreeAtMs = end;
      loop.at(end, () => {
        loop.stats.nixlXfer.observe((end - start) / 1000);
        const released = fetch(`${base}/kv/release`, { method: "POST", body })
          .then((r) => r.body?.cancel())
          .catch((e) => o.log(`kv: could not notify ${base}: ${e}`));
        this.#pulls.add(released);
        released.finally(() => this.#pulls.delete(released));
        loop.pulled(job, loop.nowMs);
      });
    });
  }
}

function pullBody(p: KvTransferParams): string {
  return JSON.stringify({
    remote_request_id: p.remote_request_id,
    remote_engine_id: p.remote_engine_id,
  });
}

function siteOf(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}
