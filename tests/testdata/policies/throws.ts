// A user policy with a bug: it throws on every route. The CLI must name the policy and
// the request, and exit 1 (a runtime failure, not a usage error).
import type { Policy } from "../../../mod.ts";

export default (): Policy => ({
  name: "throws",
  prepare() {},
  route() {
    throw new TypeError("boom");
  },
});
