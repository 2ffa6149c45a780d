/**
 * The emulator's HTTP routes, as `vllm serve` answers them: `/v1/completions`,
 * `/v1/chat/completions`, `/v1/models`, `/health`, `/metrics`, `/version`, `/tokenize`;
 * `--api-key` guards `/v1/*` (vLLM's middleware answers `{"error": "Unauthorized"}` with
 * 401) and the emulator's own `/admin/*` (`GET /admin/timing`: since the last
 * `POST /admin/timing/reset`, model ms, the token-timing error, how late the loop's timer
 * woke it, and how long after waking each token went out).
 *
 * @module
 */

import { errorBody, UNAUTHORIZED_BODY, VLLM_PROTOCOL_VERSION } from "../vllm/protocol.ts";
import { parseGenerationRequest } from "../vllm/request_fields.ts";
import type { EngineLoop } from "./engine_loop.ts";
import { generate, type GenerateContext } from "./generate.ts";

/** What the routes need. */
export interface ApiContext extends GenerateContext {
  /** `--api-key`, when set. */
  readonly apiKey?: string;
  /** The model path or name (`root` in `/v1/models`). */
  readonly modelRoot: string;
  /** The `/metrics` text. */
  readonly metrics: () => string;
  /** Model time per wall time. */
  readonly timeScale: number;
}

const enc = new TextEncoder();

/** Compares two strings in time independent of where they differ. */
function sameKey(a: string, b: string): boolean {
  const x = enc.encode(a), y = enc.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

function authorized(req: Request, key: string): boolean {
  const h = req.headers.get("authorization") ?? "";
  return h.startsWith("Bearer ") && sameKey(h.slice(7), key);
}

const detail = (status: number, text: string) => Response.json({ detail: text }, { status });

/** The request handler of one emulator. */
export function createHandler(ctx: ApiContext): (req: Request) => Promise<Response> {
  const created = Math.floor(Date.now() / 1000);
  return async (req) => {
    const path = new URL(req.url).pathname;
    const guarded = path.startsWith("/v1") || path.startsWith("/admin");
    if (guarded && ctx.apiKey !== undefined && !authorized(req, ctx.apiKey)) {
      return Response.json(UNAUTHORIZED_BODY, { status: 401 });
    }
    const is = (method: string, p: string) => path === p && req.method === method;
    if (is("POST", "/v1/completions")) return await generate("completions", req, ctx);
    if (is("POST", "/v1/chat/completions")) return await generate("chat", req, ctx);
    if (is("GET", "/health")) return new Response(null, { status: 200 });
    if (is("GET", "/version")) return Response.json({ version: `${VLLM_PROTOCOL_VERSION}` });
    if (is("GET", "/metrics")) {
      ctx.loop.advance();
      return new Response(ctx.metrics(), {
        headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
      });
    }
    if (is("GET", "/v1/models")) return Response.json(modelList(ctx, created));
    if (is("POST", "/tokenize")) return await tokenize(req, ctx);
    if (is("GET", "/admin/timing")) return Response.json(timing(ctx.loop, ctx.timeScale));
    if (is("POST", "/admin/timing/reset")) {
      ctx.loop.stats.lateness.reset();
      ctx.loop.stats.wake.reset();
      ctx.loop.stats.work.reset();
      return Response.json(timing(ctx.loop, ctx.timeScale));
    }
    const known = [
      "/v1/completions",
      "/v1/chat/completions",
      "/health",
      "/version",
      "/metrics",
      "/v1/models",
      "/tokenize",
      "/admin/timing",
      "/admin/timing/reset",
    ];
    return known.includes(path) ? detail(405, "Method Not Allowed") : detail(404, "Not Found");
  };
}

function modelList(ctx: ApiContext, created: number): unknown {
  return {
    object: "list",
    data: [{
      id: ctx.servedModel,
      object: "model",
      created,
      owned_by: "vllm",
      root: ctx.modelRoot,
      parent: null,
      max_model_len: ctx.maxModelLen,
      permission: [{
        id: `modelperm-${created}`,
        object: "model_permission",
        created,
        allow_create_engine: false,
        allow_sampling: true,
        allow_logprobs: true,
        allow_search_indices: false,
        allow_view: true,
        allow_fine_tuning: false,
        organization: "*",
        group: null,
        is_blocking: false,
      }],
    }],
  };
}

async function tokenize(req: Request, ctx: ApiContext): Promise<Response> {
  let b: Record<string, unknown>;
  try {
    b = await req.json();
  } catch (e) {
    return Response.json(errorBody(400, `Invalid JSON body: ${e}`), { status: 400 });
  }
  if (!b || typeof b !== "object" || Array.isArray(b)) {
    return Response.json(errorBody(400, "The request body must be a JSON object"), { status: 400 });
  }
  if (typeof b.model === "string" && b.model !== ctx.servedModel) {
    return Response.json(
      errorBody(404, `The model \`${b.model}\` does not exist.`, "model"),
      { status: 404 },
    );
  }
  const tok = ctx.tokenizer;
  let ids: number[];
  try {
    if (Array.isArray(b.messages)) {
      const g = parseGenerationRequest("chat", b);
      ids = tok.encode(tok.renderChat(g.messages!, g.addGenerationPrompt), g.addSpecialTokens);
    } else if (typeof b.prompt === "string") {
      ids = tok.encode(b.prompt, b.add_special_tokens !== false);
    } else {
      return Response.json(
        errorBody(400, "'prompt' (a string) or 'messages' is required", "prompt"),
        { status: 400 },
      );
    }
  } catch (e) {
    const param = (e as { param?: string }).param ?? "messages";
    return Response.json(errorBody(400, e instanceof Error ? e.message : String(e), param), {
      status: 400,
    });
  }
  return Response.json({
    count: ids.length,
    max_model_len: ctx.maxModelLen,
    tokens: ids,
    token_strs: null,
  });
}

function timing(loop: EngineLoop, timeScale: number): unknown {
  loop.advance();
  return {
    time_scale: timeScale,
    now_ms: loop.nowMs,
    lateness: loop.stats.lateness.summary(),
    timer_wake: loop.stats.wake.summary(),
    work: loop.stats.work.summary(),
  };
}
