// A second module building a policy named 'prefix-then-load', like the example (for tests).
import createExample from "../../examples/prefix_then_load.ts";
export default createExample;
