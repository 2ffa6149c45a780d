import { deepEqual, equal, throws } from "node:assert/strict";
import { parseGenerationRequest, RequestFieldError } from "./request_fields.ts";

const param = (p: string) => (e: Error) => e instanceof RequestFieldError && e.param === p;

Deno.test("request fields: defaults and vLLM's readings", () => {
  const c = parseGenerationRequest("completions", { prompt: "hi" });
  equal(c.stream, false);
  equal(c.maxTokens, undefined);
  equal(c.minTokens, 0);
  equal(c.addSpecialTokens, true, "completions add the BOS");
  deepEqual(c.stop, []);
  const chat = parseGenerationRequest("chat", {
    model: "m",
    messages: [{
      role: "user",
      content: [{ type: "text", text: "a" }, { type: "text", text: "b" }],
    }],
    max_tokens: 9,
    max_completion_tokens: 4,
    stop: "x",
    stream_options: { include_usage: true },
    kv_transfer_params: { do_remote_decode: true },
    unknown_field: 1,
  });
  equal(chat.messages![0].content, "a\nb", "text parts joined by newlines");
  equal(chat.maxTokens, 4, "max_completion_tokens wins in chat");
  equal(chat.addSpecialTokens, false, "the chat template writes its own BOS");
  deepEqual(chat.stop, ["x"]);
  equal(chat.includeUsage, true);
  equal(chat.kvTransferParams?.do_remote_decode, true);
  deepEqual(parseGenerationRequest("completions", { prompt: [1, 2, 3] }).prompt, [1, 2, 3]);
  equal(parseGenerationRequest("completions", { prompt: ["one"] }).prompt, "one");
});

Deno.test("request fields: each bad field is named", () => {
  const c = (body: unknown) => () => parseGenerationRequest("completions", body);
  const chat = (body: unknown) => () => parseGenerationRequest("chat", body);
  throws(c([]), param("body"));
  throws(c({}), param("prompt"));
  throws(c({ prompt: ["a", "b"] }), param("prompt"));
  throws(c({ prompt: "x", max_tokens: 0 }), param("max_tokens"));
  throws(c({ prompt: "x", max_tokens: 1.5 }), param("max_tokens"));
  throws(c({ prompt: "x", min_tokens: 3, max_tokens: 2 }), param("min_tokens"));
  throws(c({ prompt: "x", n: 2 }), param("n"));
  throws(c({ prompt: "x", stream: 1 }), param("stream"));
  throws(c({ prompt: "x", temperature: -1 }), param("temperature"));
  throws(c({ prompt: "x", model: 3 }), param("model"));
  throws(c({ prompt: "x", stop: [1] }), param("stop"));
  throws(c({ prompt: "x", kv_transfer_params: [] }), param("kv_transfer_params"));
  throws(chat({}), param("messages"));
  throws(chat({ messages: [] }), param("messages"));
  throws(chat({ messages: [{ content: "x" }] }), param("messages[0].role"));
  throws(
    chat({ messages: [{ role: "user", content: [{ type: "image_url" }] }] }),
    param("messages[0].content[0]"),
  );
});
