// Chat templates: the built-in Llama renderings (written here as code, no template engine)
// and a renderer for a model directory's Jinja `chat_template`.

/** One chat message as a template sees it. */
export interface TemplateMessage {
  readonly role: string;
  readonly content: string;
}

// Python's str.strip() (what Jinja's `trim` filter calls): the characters str.isspace()
// accepts, which differ from JavaScript's trim() (U+FEFF, for one, is not among them).
const PY_SPACE = "[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029" +
  "\\u202f\\u205f\\u3000]";
const LEAD = new RegExp(`^${PY_SPACE}+`, "u");
const TRAIL = new RegExp(`${PY_SPACE}+$`, "u");

/** Python's `str.strip()`. */
export function pyStrip(s: string): string {
  return s.replace(LEAD, "").replace(TRAIL, "");
}

const BOS = "<|begin_of_text|>";
const header = (role: string) => `<|start_header_id|>${role}<|end_header_id|>\n\n`;
const EOT = "<|eot_id|>";

/**
 * Llama 3.1's chat format as the `chat_template` of Meta's Llama-3.1 Instruct
 * `tokenizer_config.json` renders it for messages without tools: the system header
 * always comes first, with the knowledge-cutoff and fixed "Today Date" lines, then the
 * system message (if the first message is one), then each message stripped.
 */
export function renderLlama31(
  messages: readonly TemplateMessage[],
  addGenerationPrompt: boolean,
): string {
  let rest = messages;
  let system = "";
  if (rest.length > 0 && rest[0].role === "system") {
    system = pyStrip(rest[0].content);
    rest = rest.slice(1);
  }
  let out = BOS + header("system") +
    "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n" + system + EOT;
  for (const m of rest) out += header(m.role) + pyStrip(m.content) + EOT;
  if (addGenerationPrompt) out += header("assistant");
  return out;
}

/** Llama 3's chat format (Meta-Llama-3 Instruct): each message stripped, no system header. */
export function renderLlama3(
  messages: readonly TemplateMessage[],
  addGenerationPrompt: boolean,
): string {
  let out = "";
  for (let i = 0; i < messages.length; i++) {
    out += (i === 0 ? BOS : "") + header(messages[i].role) + pyStrip(messages[i].content) + EOT;
  }
  if (addGenerationPrompt) out += header("assistant");
  return out;
}

/** A Jinja chat template of a model directory, compiled once. */
export type JinjaRender = (
  messages: readonly TemplateMessage[],
  addGenerationPrompt: boolean,
  extra: Readonly<Record<string, unknown>>,
) => string;

/**
 * Compiles `source` with `@huggingface/jinja` (loaded on first use). `today`, when given,
 * backs the `strftime_now` that newer templates call (vLLM's renders today's date);
 * without it `strftime_now` is undefined and such templates use their fixed date.
 */
export async function compileJinja(
  source: string,
  specials: Readonly<Record<string, string>>,
  today?: () => Date,
): Promise<JinjaRender> {
  const { Template } = await import("npm:@huggingface/jinja@0.5.11");
  const template = new Template(source);
  return (messages, addGenerationPrompt, extra) =>
    template.render({
      ...specials,
      ...extra,
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      add_generation_prompt: addGenerationPrompt,
      ...(today ? { strftime_now: (format: string) => strftime(today(), format) } : {}),
    });
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The few `strftime` fields chat templates use (`%d %b %Y`, `%Y-%m-%d`). */
function strftime(d: Date, format: string): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return format.replace(/%([dbBYmH%])/g, (_, c: string) => {
    switch (c) {
      case "d":
        return pad(d.getDate());
      case "b":
        return MONTHS[d.getMonth()];
      case "B":
        return d.toLocaleString("en-US", { month: "long" });
      case "Y":
        return String(d.getFullYear());
      case "m":
        return pad(d.getMonth() + 1);
      case "H":
        return pad(d.getHours());
      default:
        return "%";
    }
  });
}
