// The engine emulator as a real process on 127.0.0.1: streaming chat and completions and
// non-streaming requests shaped as vLLM's; /metrics parsed back and its counters equal to
// what the test sent and received; a repeated prefix in cached_tokens and the hit
// counters; the official openai client; every bad input's status and error object; the
// request log; and the process gone afterwards.
import { deepEqual, equal, ok } from "node:assert/strict";
import OpenAI from "npm:openai@7.57.0";
import parsePrometheus from "npm:parse-prometheus-text-format@1.1.1";
import { parsePrometheusText, promValue } from "../src/metrics/prometheus.ts";
import { alive, spawnEmulator, sseEvents } from "./_emulator.ts";

const KEY = "test-key";
const MODEL = "meta-llama/Llama-3.1-8B-Instruct";
const labels = { model_name: MODEL, engine: "0" };

Deno.test("emulator process: vLLM's API, metrics, prefix hits, clients, bad input", async (t) => {
  const dir = await Deno.makeTempDir();
  const log = `${dir}/requests.jsonl`;
  const emu = await spawnEmulator([
    "--port",
    "0",
    "--time-scale",
    "20",
    "--api-key",
    KEY,
    "--max-model-len",
    "4096",
    "--request-log",
    log,
  ]);
  const auth = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
  const post = (path: string, body: unknown, headers: Record<string, string> = auth) =>
    fetch(emu.url + path, { method: "POST", headers, body: JSON.stringify(body) });
  // What the test sent and received, to check the counters against.
  const sent = { requests: 0, prompt: 0, generated: 0, cached: 0, stop: 0, length: 0 };
  const count = (
    usage: Record<string, number> & { prompt_tokens_details: { cached_tokens: number } },
    finish: string,
  ) => {
    sent.requests++;
    sent.prompt += usage.prompt_tokens;
    sent.generated += usage.completion_tokens;
    sent.cached += usage.prompt_tokens_details.cached_tokens;
    if (finish === "stop") sent.stop++;
    else sent.length++;
  };
  try {
    await t.step("non-streaming completion: usage, finish_reason, filler text", async () => {
      const r = await post("/v1/completions", {
        model: MODEL,
        prompt: "What is the name of the capital of France?",
        max_tokens: 12,
        temperature: 0,
        stop: ["\n"],
      });
      equal(r.status, 200);
      const b = await r.json();
      equal(b.object, "text_completion");
      equal(b.choices[0].finish_reason, "length");
      deepEqual(b.usage, {
        prompt_tokens: 11,
        total_tokens: 23,
        completion_tokens: 12,
        prompt_tokens_details: { cached_tokens: 0 },
      });
      equal(b.kv_transfer_params, null);
      const tok =
        await (await post("/tokenize", { prompt: b.choices[0].text, add_special_tokens: false }))
          .json();
      equal(tok.count, 12, "the output text is as many tokens as completion_tokens");
      count(b.usage, "length");
    });

    await t.step(
      "min_tokens stands in for the end of sequence; ignore_eos overrides it",
      async () => {
        const stop =
          await (await post("/v1/completions", { prompt: "Hi", max_tokens: 9, min_tokens: 3 }))
            .json();
        equal(stop.choices[0].finish_reason, "stop");
        equal(stop.usage.completion_tokens, 3);
        count(stop.usage, "stop");
        const all = await (await post("/v1/completions", {
          prompt: "Hi",
          max_tokens: 5,
          min_tokens: 2,
          ignore_eos: true,
        })).json();
        equal(all.choices[0].finish_reason, "length");
        equal(all.usage.completion_tokens, 5);
        count(all.usage, "length");
      },
    );

    await t.step(
      "streaming chat: role chunk, one chunk per token, finish, usage, [DONE]",
      async () => {
        const r = await post("/v1/chat/completions", {
          model: MODEL,
          messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello!" }],
          max_completion_tokens: 6,
          stream: true,
          stream_options: { include_usage: true },
        });
        equal(r.status, 200);
        ok(r.headers.get("content-type")!.startsWith("text/event-stream"));
        const events = await sseEvents(r);
        equal(events.at(-1), "[DONE]");
        const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
        ok(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === chunks[0].id));
        deepEqual(chunks[0].choices[0].delta, { role: "assistant", content: "" });
        const content = chunks.slice(1, -1);
        equal(content.length, 6);
        ok(content.slice(0, -1).every((c) => c.choices[0].finish_reason === null));
        equal(content.at(-1).choices[0].finish_reason, "length");
        const usage = chunks.at(-1);
        deepEqual(usage.choices, []);
        equal(usage.usage.completion_tokens, 6);
        const tok = await (await post("/tokenize", {
          messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello!" }],
        })).json();
        equal(usage.usage.prompt_tokens, tok.count, "prompt tokens: the chat template, tokenized");
        count(usage.usage, "length");
      },
    );

    await t.step("streaming completion without include_usage: no usage chunk", async () => {
      const r = await post("/v1/completions", {
        prompt: "Once upon a time",
        max_tokens: 4,
        stream: true,
      });
      const events = await sseEvents(r);
      equal(events.length, 5);
      equal(events[4], "[DONE]");
      const last = JSON.parse(events[3]);
      equal(last.choices[0].finish_reason, "length");
      ok(events.slice(0, 4).every((e) => JSON.parse(e).usage === undefined));
      sent.requests++;
      sent.prompt += 5; // BOS + "Once upon a time"
      sent.generated += 4;
      sent.length++;
    });

    await t.step("a repeated prefix is served from the prefix cache", async () => {
      const prefix = "You are a careful assistant who answers questions about the sea. ".repeat(20);
      const first =
        await (await post("/v1/completions", { prompt: prefix + "Why is it blue?", max_tokens: 2 }))
          .json();
      const second = await (await post("/v1/completions", {
        prompt: prefix + "Why is it salty?",
        max_tokens: 2,
      }))
        .json();
      equal(first.usage.prompt_tokens_details.cached_tokens, 0);
      const cached = second.usage.prompt_tokens_details.cached_tokens;
      ok(cached > 0 && cached % 16 === 0, `whole 16-token blocks cached, got ${cached}`);
      ok(cached >= second.usage.prompt_tokens - 32, "all but the differing tail");
      count(first.usage, "length");
      count(second.usage, "length");
    });

    await t.step("the official openai client streams chat with usage, and completes", async () => {
      const client = new OpenAI({ baseURL: `${emu.url}/v1`, apiKey: KEY, maxRetries: 0 });
      const stream = await client.chat.completions.create({
        model: MODEL,
        messages: [{ role: "user", content: "Say something." }],
        max_tokens: 5,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = "", finish: string | null = null;
      let usage: OpenAI.CompletionUsage | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? "";
        finish = chunk.choices[0]?.finish_reason ?? finish;
        usage = chunk.usage ?? usage;
      }
      equal(text, " The quick brown fox jumps");
      equal(finish, "length");
      equal(usage?.completion_tokens, 5);
      count(usage as never, "length");
      const c = await client.completions.create({
        model: MODEL,
        prompt: "What is DeepLearning?",
        max_tokens: 3,
      });
      equal(c.usage?.prompt_tokens, 6);
      equal(c.choices[0].text, " The quick brown");
      count(c.usage as never, "length");
      const models = await client.models.list();
      equal(models.data[0].id, MODEL);
    });

    await t.step("every bad input gets its status and vLLM's error object", async () => {
      const bad = async (r: Response, status: number, param: string | null) => {
        equal(r.status, status);
        const b = await r.json();
        equal(b.error.code, status);
        equal(b.error.param, param);
        ok(typeof b.error.message === "string" && b.error.message.length > 0);
        equal(b.error.type, status === 404 ? "NotFoundError" : "BadRequestError");
      };
      await bad(
        await fetch(emu.url + "/v1/completions", { method: "POST", headers: auth, body: "{nope" }),
        400,
        null,
      );
      await bad(await post("/v1/chat/completions", { model: MODEL }), 400, "messages");
      await bad(await post("/v1/completions", { model: MODEL }), 400, "prompt");
      await bad(await post("/v1/completions", { prompt: "x", max_tokens: -3 }), 400, "max_tokens");
      await bad(await post("/v1/completions", { prompt: "x", stream: "yes" }), 400, "stream");
      await bad(
        await post("/v1/completions", { prompt: "x", max_tokens: 2, min_tokens: 5 }),
        400,
        "min_tokens",
      );
      await bad(await post("/v1/completions", { model: "other", prompt: "x" }), 404, "model");
      const long = "word ".repeat(5000);
      await bad(await post("/v1/completions", { prompt: long, max_tokens: 1 }), 400, "prompt");
      await bad(
        await post("/v1/completions", { prompt: "hi", max_tokens: 5000 }),
        400,
        "max_tokens",
      );
      const noKey = await post("/v1/completions", { prompt: "x" }, {
        "content-type": "application/json",
      });
      equal(noKey.status, 401);
      deepEqual(await noKey.json(), { error: "Unauthorized" });
      const wrong = await fetch(emu.url + "/v1/models", {
        headers: { authorization: "Bearer nope" },
      });
      equal(wrong.status, 401);
      await wrong.body?.cancel();
      const health = await fetch(emu.url + "/health");
      equal(health.status, 200, "/health needs no key");
      equal(await health.text(), "");
      deepEqual(await (await fetch(emu.url + "/version")).json(), { version: "0.11.0" });
    });

    await t.step("/metrics parsed back: counters equal what was sent and received", async () => {
      const text = await (await fetch(emu.url + "/metrics")).text();
      const s = parsePrometheusText(text);
      const v = (name: string, extra = {}) => promValue(s, name, { ...labels, ...extra });
      equal(v("vllm:prompt_tokens_total"), sent.prompt);
      equal(v("vllm:generation_tokens_total"), sent.generated);
      equal(v("vllm:prefix_cache_queries_total"), sent.prompt);
      equal(v("vllm:prefix_cache_hits_total"), sent.cached);
      ok(sent.cached > 0);
      equal(v("vllm:request_success_total", { finished_reason: "stop" }), sent.stop);
      equal(v("vllm:request_success_total", { finished_reason: "length" }), sent.length);
      equal(v("vllm:time_to_first_token_seconds_count"), sent.requests);
      equal(v("vllm:e2e_request_latency_seconds_count"), sent.requests);
      equal(v("vllm:inter_token_latency_seconds_count"), sent.generated - sent.requests);
      equal(v("vllm:num_requests_running"), 0);
      equal(v("vllm:num_requests_waiting"), 0);
      equal(v("vllm:kv_cache_usage_perc"), 0);
      equal(v("vllm:num_preemptions_total"), 0);
      const info = s.find((x) => x.name === "vllm:cache_config_info")!;
      equal(info.labels.block_size, "16");
      ok(Number(info.labels.num_gpu_blocks) > 1000);
      // A second, independent parser reads the same text.
      const families = parsePrometheus(text) as {
        name: string;
        type: string;
        metrics: { value?: string; labels?: Record<string, string> }[];
      }[];
      const prompt = families.find((f) => f.name === "vllm:prompt_tokens_total")!;
      equal(prompt.type, "COUNTER");
      equal(Number(prompt.metrics[0].value), sent.prompt);
      equal(families.find((f) => f.name === "vllm:time_to_first_token_seconds")!.type, "HISTOGRAM");
    });

    await t.step("the request log has one line per request", async () => {
      const code = await emu.stop(); // flushes the log
      equal(code, 0);
      const lines = (await Deno.readTextFile(log)).trim().split("\n").map((l) => JSON.parse(l));
      const ok200 = lines.filter((l) => l.status === 200);
      equal(ok200.length, sent.requests);
      equal(ok200.reduce((a, l) => a + l.prompt_tokens, 0), sent.prompt);
      ok(ok200.every((l) => l.outcome === "ok" && l.ttft_ms > 0 && l.e2e_ms >= l.ttft_ms));
      const rejected = lines.filter((l) => l.outcome === "rejected");
      equal(rejected.length, 9, "the nine rejected generation requests (401s never reach a route)");
      ok(rejected.some((l) => l.status === 404));
    });
  } finally {
    await emu.stop();
    await Deno.remove(dir, { recursive: true });
  }
  equal(await alive(emu.pid), false, "the emulator process is gone");
});
