/**
 * `--request-log FILE`: one JSON line per request the emulator answered, rejected ones
 * included, for the proxy's and the reliability tests to check what reached which engine.
 * Times are model ms from the emulator's start.
 *
 * @module
 */

/** One line of the request log. */
export interface RequestLogEntry {
  /** The client's `X-Request-Id` header (null when absent). */
  readonly x_request_id: string | null;
  /** The response id (`cmpl-…`, `chatcmpl-…`), null for a request rejected before one. */
  readonly id: string | null;
  /** `/v1/completions` or `/v1/chat/completions`. */
  readonly route: string;
  /** HTTP status answered (200 for streams, whatever happened inside). */
  readonly status: number;
  /** `ok`, `abort` (client went away), `error` (failed while running), `rejected` (4xx). */
  readonly outcome: "ok" | "abort" | "error" | "rejected";
  /** `stop`, `length`, or null. */
  readonly finish_reason: string | null;
  /** The error message, when there was one. */
  readonly error: string | null;
  /** Whether the request asked for a stream. */
  readonly stream: boolean;
  /** Prompt tokens. */
  readonly prompt_tokens: number | null;
  /** Prompt tokens served from this engine's prefix cache. */
  readonly cached_tokens: number | null;
  /** The request's `max_tokens` (chat: or `max_completion_tokens`), null when absent. */
  readonly max_tokens: number | null;
  /** Tokens generated. */
  readonly completion_tokens: number | null;
  /** How it ran: `local`, `prefill` (for a remote decode engine) or `pull` (KV pulled in). */
  readonly mode: "local" | "prefill" | "pull" | null;
  /** Whether the request carried `kv_transfer_params`. */
  readonly kv_transfer_params_in: boolean;
  /** Whether the answer carried `kv_transfer_params`. */
  readonly kv_transfer_params_out: boolean;
  /** Arrival, model ms since start. */
  readonly arrival_ms: number | null;
  /** Arrival → first token, model ms. */
  readonly ttft_ms: number | null;
  /** Arrival → end, model ms. */
  readonly e2e_ms: number | null;
}

/** Appends entries to a file, one JSON line each, in order. */
export class RequestLog {
  readonly #file: Deno.FsFile;
  readonly #enc = new TextEncoder();
  #chain: Promise<unknown> = Promise.resolve();

  private constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /** Opens (creates or appends to) `path`. */
  static async open(path: string): Promise<RequestLog> {
    return new RequestLog(await Deno.open(path, { create: true, append: true }));
  }

  /** Appends `entry` (written in the background, in order). */
  write(entry: RequestLogEntry): void {
    const bytes = this.#enc.encode(JSON.stringify(entry) + "\n");
    this.#chain = this.#chain.then(async () => {
      let off = 0;
      while (off < bytes.length) off += await this.#file.write(bytes.subarray(off));
    });
  }

  /** Writes what is pending and closes the file. */
  async close(): Promise<void> {
    await this.#chain.catch(() => {});
    this.#file.close();
  }
}

const round = (x: number) => Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null;

/** Model ms rounded to µs for the log (`null` when not reached). */
export function logMs(x: number): number | null {
  return round(x);
}
