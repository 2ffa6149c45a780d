import { equal } from "node:assert/strict";
import { cannot, InputError, PolicyConfigError, quoteValue, UsageError } from "./errors.ts";

Deno.test("cannot: one wording, the value quoted by type", () => {
  equal(cannot("run", "'n' must be positive", 0), "Cannot run: 'n' must be positive, got 0");
  equal(cannot("run", "expected a name", "x"), "Cannot run: expected a name, got 'x'");
  equal(cannot("run", "expected a name", undefined), "Cannot run: expected a name, got undefined");
  equal(cannot("run", "no policy is compared"), "Cannot run: no policy is compared");
  equal(quoteValue([1, "a"]), '[1,"a"]');
  equal(quoteValue(null), "null");
});

Deno.test("error classes set name, keep the cause, and name where the fault is", () => {
  const cause = new RangeError("Cannot create policy 'p': bad");
  const p = new PolicyConfigError("p", cause);
  equal(p.name, "PolicyConfigError");
  equal(p.message, cause.message);
  equal(p.cause, cause);
  equal(new PolicyConfigError("p", "text").message, "text");
  const u = new UsageError("--rate", "expected a positive number, got 'x'", { cause });
  equal(u.message, "Invalid value for --rate: expected a positive number, got 'x'");
  equal(u.name, "UsageError");
  equal(u.flag, "--rate");
  equal(u.cause, cause);
  equal(new InputError("t.csv", 0, "", "is empty").message, "t.csv: is empty");
});
