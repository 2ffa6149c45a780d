// A user policy that takes a configuration but exports no `spec` of its fields (for
// tests): `--set no-spec.<field>` reaches it unchecked, with a warning.
import type { PolicyFactory } from "../../../mod.ts";

const create: PolicyFactory = () => ({
  name: "no-spec",
  prepare() {},
  route(s, _r, out) {
    out.prefill = s.prefillLoad.min();
    out.decode = s.decodeLoad.min();
    out.reason = 1;
  },
});
export default create;
