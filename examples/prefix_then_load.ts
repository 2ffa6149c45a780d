/**
 * An example user policy: **prefix first, then load**.
 *
 * Run it beside the built-in policies with
 *
 * ```sh
 * deno task sim --policy ./examples/prefix_then_load.ts
 * deno task sim --policies round-robin,./examples/prefix_then_load.ts --set prefix-then-load.maxWaitMs=100
 * ```
 *
 * A policy module default-exports a factory `(config, context) => Policy`:
 * - `config` holds the user's `--set <name>.<field>=<value>` overrides; validate them
 *   once, here, with `resolveConfig`;
 * - `context.random` is the only randomness a policy may use (seeded per run);
 * - `route` reads the fleet snapshot and writes the caller's decision; it must not
 *   allocate, so scratch arrays are made in the factory.
 *
 * The rule: send the prompt to the prefill worker holding the longest cached prefix of
 * it, unless that worker's queue would delay it more than `maxWaitMs`; then, and when
 * no worker holds the prefix, to the least-loaded prefill worker. The decode worker is
 * the one with the least committed KV.
 *
 * @module
 */

import {
  type ConfigSpec,
  type Policy,
  type PolicyFactory,
  Reason,
  reject,
  resolveConfig,
} from "../mod.ts";

const NAME = "prefix-then-load";

/** The configuration fields (exported, so that `--set` checks field names up front). */
export const spec = {
  maxWaitMs: {
    default: 200,
    min: 0,
    doc: "Queued prefill work (ms) a prefix holder may have and still be preferred",
  },
} satisfies ConfigSpec;

const create: PolicyFactory = (config, context): Policy => {
  const c = resolveConfig(NAME, spec, config);
  const ids = new Int32Array(4); // scratch: the 4 longest prefix holders
  const counts = new Uint16Array(4);
  return {
    name: NAME,
    prepare() {},
    route(s, r, out) {
      const decode = s.decodeLoad.min();
      if (decode < 0) {
        reject(out, Reason.NoWorker);
        return;
      }
      out.decode = decode;
      out.prefill = s.prefillLoad.min(); // -1 when no prefill worker: decode prefills
      out.reason = Reason.Load;
      const k = s.prefix.matchInto(r.blocks, ids, counts);
      for (let i = 0; i < k; i++) {
        const w = ids[i];
        const waitMs = s.queuedPrefillTokens[w] * context.prefillMsPerToken;
        if (s.prefillLoad.key(w) !== Infinity && waitMs <= c.maxWaitMs) {
          out.prefill = w; // a healthy prefill worker holding the longest prefix
          out.reason = Reason.Prefix;
          return;
        }
      }
    },
  };
};

export default create;
