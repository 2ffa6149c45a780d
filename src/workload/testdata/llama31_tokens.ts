// Token counts and ids that the real Llama-3.1 tokenizer with its chat template produced,
// published by others; each fixture names where it came from. The emulator, the proxy and
// the load generator must count the same.

/** A completion prompt and the `prompt_tokens` vLLM reported for it (BOS included). */
export interface CompletionFixture {
  readonly source: string;
  readonly prompt: string;
  readonly promptTokens: number;
}

/** A chat and the token ids of its rendered template. */
export interface ChatFixture {
  readonly source: string;
  readonly messages: readonly { readonly role: string; readonly content: string }[];
  readonly addGenerationPrompt: boolean;
  readonly ids: readonly number[];
}

export const COMPLETION_FIXTURES: readonly CompletionFixture[] = [
  {
    source: "Lambda Labs docs, 'vLLM on an on-demand instance': vLLM serving " +
      "meta-llama/Meta-Llama-3.1-8B-Instruct answers usage.prompt_tokens 11",
    prompt: "What is the name of the capital of France?",
    promptTokens: 11,
  },
  {
    source: "Intel Gaudi vLLM docker docs: vLLM serving meta-llama/Llama-3.1-8B-Instruct " +
      "answers usage.prompt_tokens 6",
    prompt: "What is DeepLearning?",
    promptTokens: 6,
  },
];

const SPACES = " ".repeat(12);

export const CHAT_FIXTURES: readonly ChatFixture[] = [
  {
    source: "vllm-project/vllm issues #24314 (2025-09-05) and #34700 (2026-02-17): " +
      "prompt_token_ids of a RequestOutput in v1/e2e/test_spec_decode.py " +
      "(meta-llama/Llama-3.1-8B-Instruct, chat with the model's template)",
    messages: [{
      role: "user",
      content: `\n${SPACES}please give a ten-word sentence that\n${SPACES}uses the word hello ` +
        `at least once.\n${SPACES}give no other output than that simple sentence without ` +
        `quotes.\n${SPACES}`,
    }],
    addGenerationPrompt: true,
    ids: [
      128000,
      128006,
      9125,
      128007,
      271,
      38766,
      1303,
      33025,
      2696,
      25,
      6790,
      220,
      2366,
      18,
      198,
      15724,
      2696,
      25,
      220,
      1627,
      10263,
      220,
      2366,
      19,
      271,
      128009,
      128006,
      882,
      128007,
      271,
      31121,
      3041,
      264,
      5899,
      38428,
      11914,
      430,
      198,
      310,
      5829,
      279,
      3492,
      24748,
      520,
      3325,
      3131,
      627,
      310,
      3041,
      912,
      1023,
      2612,
      1109,
      430,
      4382,
      11914,
      2085,
      17637,
      13,
      128009,
      128006,
      78191,
      128007,
      271,
    ],
  },
  {
    source: "huggingface/transformers.js tests/tokenizers.test.js, 'should support default " +
      "parameters' (Xenova/Meta-Llama-3.1-Tokenizer: Meta's tokenizer and chat_template)",
    messages: [
      { role: "system", content: "You are a bot that responds to weather queries." },
      { role: "user", content: "Hey, what's the temperature in Paris right now?" },
    ],
    addGenerationPrompt: false,
    ids: [
      128000,
      128006,
      9125,
      128007,
      271,
      38766,
      1303,
      33025,
      2696,
      25,
      6790,
      220,
      2366,
      18,
      198,
      15724,
      2696,
      25,
      220,
      1627,
      10263,
      220,
      2366,
      19,
      271,
      2675,
      527,
      264,
      11164,
      430,
      31680,
      311,
      9282,
      20126,
      13,
      128009,
      128006,
      882,
      128007,
      271,
      19182,
      11,
      1148,
      596,
      279,
      9499,
      304,
      12366,
      1314,
      1457,
      30,
      128009,
    ],
  },
];
