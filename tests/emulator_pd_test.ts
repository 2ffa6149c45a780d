// P/D by hand on two emulator processes (vLLM's NixlConnector two-hop, VLLM.md §3): the
// prefill hop answers vLLM's kv_transfer_params and holds the blocks; the decode hop pulls
// them over loopback, pays the model's transfer time and no prefill; the prefill engine's
// held blocks drop to 0 after the pull; expired, unknown and incomplete params follow
// kv_load_failure_policy (the decode engine fails, the prefill engine recomputes).
import { equal, ok } from "node:assert/strict";
import { createExecutionModel } from "../src/model/execution_model.ts";
import { standalonePrefillMs } from "../src/model/model.ts";
import { LLAMA3_8B_H100 } from "../src/model/presets.ts";
import { parsePrometheusText, promValue } from "../src/metrics/prometheus.ts";
import { PREFILL_HOP_PARAMS } from "../src/engine/vllm/protocol.ts";
import { alive, spawnEmulator, sseEvents } from "./_emulator.ts";

const SCALE = 5;
const HOLD_S = 2; // model seconds a prefill engine holds unpulled KV (0.4 s wall)

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function metric(url: string, name: string): Promise<number> {
  const s = parsePrometheusText(await (await fetch(url + "/metrics")).text());
  return promValue(s, name) ?? NaN;
}

async function until(what: string, ok: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("emulator P/D: two-hop pull, held blocks freed, kv_load_failure_policy", async (t) => {
  const dir = await Deno.makeTempDir();
  const sidePort = freePort();
  const kv = (policy: string) =>
    JSON.stringify({
      kv_connector: "NixlConnector",
      kv_role: "kv_both",
      kv_load_failure_policy: policy,
    });
  const [p, d] = await Promise.all([
    spawnEmulator([
      "serve",
      "meta-llama/Llama-3.1-8B-Instruct",
      "--port",
      "0",
      "--time-scale",
      String(SCALE),
      "--kv-transfer-config",
      kv("recompute"),
    ], { VLLM_NIXL_ABORT_REQUEST_TIMEOUT: String(HOLD_S) }),
    spawnEmulator([
      "--port",
      "0",
      "--time-scale",
      String(SCALE),
      "--kv-transfer-config",
      kv("fail"),
      "--request-log",
      `${dir}/d.jsonl`,
      "--enforce-eager",
    ], {
      VLLM_NIXL_SIDE_CHANNEL_PORT: String(sidePort),
      CUDA_VISIBLE_DEVICES: "1",
    }),
  ]);
  const json = { "content-type": "application/json" };
  const post = (url: string, body: unknown, id?: string) =>
    fetch(url + "/v1/completions", {
      method: "POST",
      headers: id ? { ...json, "x-request-id": id } : json,
      body: JSON.stringify(body),
    });
  // A prompt long enough that prefilling it would take far longer than moving its KV.
  const prompt = "The harbour was quiet before the storm came in from the west. ".repeat(400);
  const prefillHop = async (id: string) => {
    const r = await post(p.url, {
      prompt,
      max_tokens: 1,
      stream: false,
      kv_transfer_params: PREFILL_HOP_PARAMS,
    }, id);
    equal(r.status, 200);
    return await r.json();
  };
  try {
    await t.step("start-up logs argv, CUDA_VISIBLE_DEVICES and the side-channel port", () => {
      const line = (prefix: string) =>
        JSON.parse(d.stderr().split("\n").find((l) => l.startsWith(prefix))!.slice(prefix.length));
      const argv = line("INFO emulator: argv ");
      equal(argv[argv.length - 1], "--enforce-eager");
      const env = line("INFO emulator: env ");
      equal(env.CUDA_VISIBLE_DEVICES, "1");
      equal(env.VLLM_NIXL_SIDE_CHANNEL_PORT, String(sidePort));
      equal(env.VLLM_NIXL_SIDE_CHANNEL_HOST, null);
      ok(d.stderr().includes('"CUDA_VISIBLE_DEVICES":"1"'), d.stderr());
      ok(d.stderr().includes(`"VLLM_NIXL_SIDE_CHANNEL_PORT":"${sidePort}"`));
      ok(d.stderr().includes('"--enforce-eager"') && d.stderr().includes("accepted, not modelled"));
      ok(d.stderr().includes(`KV side channel 127.0.0.1:${sidePort}`));
    });

    let promptTokens = 0;
    await t.step(
      "decode pays the transfer and no prefill; the prefill engine frees its blocks",
      async () => {
        const a = await prefillHop("req-1");
        equal(a.choices[0].finish_reason, "length");
        equal(a.usage.completion_tokens, 1);
        promptTokens = a.usage.prompt_tokens;
        const params = a.kv_transfer_params;
        equal(params.do_remote_prefill, true);
        equal(params.do_remote_decode, false);
        equal(params.remote_host, "127.0.0.1");
        ok(Number.isInteger(params.remote_port) && params.remote_port !== sidePort);
        equal(params.remote_block_ids.length, Math.ceil(promptTokens / 16));
        ok(params.remote_request_id.startsWith("cmpl-req-1"));
        equal(await metric(p.url, "vllm:nixl_num_pending_sends"), 1, "held until pulled");
        ok(await metric(p.url, "vllm:kv_cache_usage_perc") > 0);

        const r = await post(d.url, {
          prompt,
          max_tokens: 8,
          stream: true,
          kv_transfer_params: params,
        }, "req-1");
        const events = await sseEvents(r);
        equal(events.at(-1), "[DONE]");
        equal(events.length, 9);
        await until(
          "the prefill engine freed the pulled blocks",
          async () =>
            await metric(p.url, "vllm:nixl_num_pending_sends") === 0 &&
            await metric(p.url, "vllm:kv_cache_usage_perc") === 0,
        );
        const xfer = await metric(d.url, "vllm:nixl_xfer_time_seconds_sum");
        const model = createExecutionModel(LLAMA3_8B_H100);
        ok(xfer * 1000 >= model.transferMs(promptTokens) - 1e-6, `transfer ${xfer} s`);
        equal(await metric(d.url, "vllm:nixl_xfer_time_seconds_count"), 1);
      },
    );

    await t.step(
      "an unknown request: the decode engine (policy fail) errors, mid-stream too",
      async () => {
        const a = await prefillHop("req-2");
        const bogus = { ...a.kv_transfer_params, remote_request_id: "no-such-request" };
        const r = await post(d.url, { prompt, max_tokens: 4, kv_transfer_params: bogus });
        equal(r.status, 500);
        const b = await r.json();
        ok(b.error.message.includes("no KV held"), b.error.message);
        const s = await sseEvents(
          await post(d.url, { prompt, max_tokens: 4, stream: true, kv_transfer_params: bogus }),
        );
        equal(s.length, 2);
        ok(JSON.parse(s[0]).error.message.includes("KV transfer failed"));
        equal(s[1], "[DONE]");
        equal(await metric(d.url, "vllm:nixl_num_failed_transfers_total"), 2);
        // Pull req-2's KV for real, so that nothing stays held.
        await (await post(d.url, {
          prompt,
          max_tokens: 1,
          kv_transfer_params: a.kv_transfer_params,
        })).json();
      },
    );

    await t.step(
      "expired params: the hold times out on the prefill engine; decode fails",
      async () => {
        const a = await prefillHop("req-3");
        equal(await metric(p.url, "vllm:nixl_num_pending_sends"), 1);
        await until(
          "the hold expired",
          async () => await metric(p.url, "vllm:nixl_num_pending_sends") === 0,
          (HOLD_S / SCALE) * 1000 + 3000,
        );
        equal(await metric(p.url, "vllm:kv_cache_usage_perc"), 0);
        ok(p.stderr().includes("expired"));
        const r = await post(d.url, {
          prompt,
          max_tokens: 4,
          kv_transfer_params: a.kv_transfer_params,
        });
        equal(r.status, 500);
        await r.body?.cancel();
      },
    );

    await t.step("policy recompute: the engine prefills itself; missing fields too", async () => {
      const bogus = {
        do_remote_prefill: true,
        do_remote_decode: false,
        remote_block_ids: [1],
        remote_engine_id: "nobody",
        remote_request_id: "nothing",
        remote_host: "127.0.0.1",
        remote_port: sidePort,
        tp_size: 1,
      };
      const r =
        await (await post(p.url, { prompt: "short", max_tokens: 3, kv_transfer_params: bogus }))
          .json();
      equal(r.usage.completion_tokens, 3, "recomputed locally on the engine with policy recompute");
      const { remote_host: _, ...missing } = bogus;
      const m =
        await (await post(d.url, { prompt: "short", max_tokens: 2, kv_transfer_params: missing }))
          .json();
      equal(m.usage.completion_tokens, 2, "params without remote_host: prefilled locally");
      ok(d.stderr().includes("lack remote_host"));
    });

    await t.step("the decode engine's side channel is on VLLM_NIXL_SIDE_CHANNEL_PORT", async () => {
      const r = await post(d.url, {
        prompt: "short",
        max_tokens: 1,
        kv_transfer_params: PREFILL_HOP_PARAMS,
      });
      const b = await r.json();
      equal(b.kv_transfer_params.remote_port, sidePort);
      // Leave nothing held: pull it back into the prefill engine.
      await (await post(p.url, {
        prompt: "short",
        max_tokens: 1,
        kv_transfer_params: b.kv_transfer_params,
      })).json();
      await until("released", async () => await metric(d.url, "vllm:nixl_num_pending_sends") === 0);
    });

    await t.step("the decode hop's request log: pulled, and no prefill time", async () => {
      await d.stop();
      const lines = (await Deno.readTextFile(`${dir}/d.jsonl`)).trim().split("\n").map((l) =>
        JSON.parse(l)
      );
      const pulled = lines.find((l) => l.x_request_id === "req-1")!;
      equal(pulled.mode, "pull");
      equal(pulled.kv_transfer_params_in, true);
      equal(pulled.completion_tokens, 8);
      // Its TTFT: the front end, then the transfer, then one decode step; no prefill on top.
      const model = createExecutionModel(LLAMA3_8B_H100);
      const floor = model.frontEndMs(promptTokens) + model.transferMs(promptTokens);
      ok(pulled.ttft_ms >= floor, `TTFT ${pulled.ttft_ms} ms pays the front end and the transfer`);
      ok(
        pulled.ttft_ms < floor + standalonePrefillMs(LLAMA3_8B_H100, promptTokens, 0),
        `TTFT ${pulled.ttft_ms} ms has no prefill of ${promptTokens} tokens in it (floor ${floor})`,
      );
      equal(lines.filter((l) => l.outcome === "error").length, 3);
    });
  } finally {
    await Promise.all([p.stop(), d.stop()]);
    await Deno.remove(dir, { recursive: true });
  }
  equal(await alive(p.pid), false);
  equal(await alive(d.pid), false);
});
