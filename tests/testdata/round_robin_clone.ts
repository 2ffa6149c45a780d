// A module building a policy named like a built-in one (for tests).
import { createRoundRobin } from "../../mod.ts";
export default createRoundRobin;
