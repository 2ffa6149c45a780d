import { deepEqual, equal, throws } from "node:assert/strict";
import { formatPromValue, parsePrometheusText, promValue, PromWriter } from "./prometheus.ts";

Deno.test("prometheus: what the writer writes, the parser reads back", () => {
  const w = new PromWriter();
  w.family("vllm:prompt_tokens_total", "counter", "Prompt tokens.\nTwo lines.");
  w.sample("vllm:prompt_tokens_total", { model_name: 'a "b"\\c\nd', engine: "0" }, 12);
  w.family("vllm:ttft_seconds", "histogram", "TTFT.");
  w.histogram("vllm:ttft_seconds", { engine: "0" }, [0.1, 1], [2, 0, 1], 5.25);
  const s = parsePrometheusText(w.text());
  equal(s.length, 1 + 3 + 2);
  deepEqual(s[0], {
    name: "vllm:prompt_tokens_total",
    labels: { model_name: 'a "b"\\c\nd', engine: "0" },
    value: 12,
  });
  equal(promValue(s, "vllm:ttft_seconds_bucket", { le: "0.1" }), 2);
  equal(promValue(s, "vllm:ttft_seconds_bucket", { le: "1.0" }), 2, "cumulative");
  equal(promValue(s, "vllm:ttft_seconds_bucket", { le: "+Inf" }), 3);
  equal(promValue(s, "vllm:ttft_seconds_count"), 3);
  equal(promValue(s, "vllm:ttft_seconds_sum"), 5.25);
  equal(promValue(s, "nope"), undefined);
  throws(() => promValue(s, "vllm:ttft_seconds_bucket"), /3 samples/);
});

Deno.test("prometheus: parser edge cases and errors naming the line", () => {
  const s = parsePrometheusText(
    '# a comment\n\nup 1\nx{a="1",} +Inf 1700000000\ny -Inf\nz NaN\nw{ a = "q" } 2e-3\n',
  );
  deepEqual(s.map((x) => x.value), [1, Infinity, -Infinity, NaN, 0.002]);
  equal(s[4].labels.a, "q");
  throws(() => parsePrometheusText("ok 1\n{bad} 1\n"), /line 2: expected a metric name/);
  throws(() => parsePrometheusText("x{a=1} 1"), /line 1: expected a quoted label value/);
  throws(() => parsePrometheusText('x{a="1" 1'), /expected ',' or '}'/);
  throws(() => parsePrometheusText("x one"), /line 1: expected a number, got 'one'/);
  equal(formatPromValue(3), "3.0");
  equal(formatPromValue(0.25), "0.25");
  equal(formatPromValue(Infinity), "+Inf");
});
