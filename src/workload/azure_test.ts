import { equal, ok } from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { formatAzureTimestamp, parseWallClock } from "./azure.ts";

Deno.test("parseWallClock: 7 fractional digits become exact nanoseconds", () => {
  const t = parseWallClock("2023-11-16 18:17:03.9799600")!;
  equal(t.seconds, Date.UTC(2023, 10, 16, 18, 17, 3) / 1000);
  equal(t.nanos, 979_960_000);
  equal(parseWallClock("2023-11-16 18:17:03.0000001")!.nanos, 100);
  equal(parseWallClock("2023-11-16 18:17:03")!.nanos, 0);
  equal(parseWallClock("2023-11-16T18:17:03.5")!.nanos, 500_000_000);
});

Deno.test("parseWallClock: rejects malformed and impossible times", () => {
  for (
    const s of [
      "",
      "yesterday",
      "2023-11-16",
      "2023-13-01 00:00:00",
      "2023-02-30 00:00:00",
      "2023-11-16 24:00:00",
      "2023-11-16 18:17:03.",
      "2023-11-16 18:17:03.1234567890",
    ]
  ) {
    equal(parseWallClock(s), null, s);
  }
});

Deno.test("formatAzureTimestamp: round-trips through parseWallClock at 100 ns", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 4e9 }),
      fc.integer({ min: 0, max: 1e15 }),
      (base, ticks) => {
        const s = formatAzureTimestamp(base, ticks);
        ok(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{7}$/.test(s), s);
        const t = parseWallClock(s)!;
        equal(t.seconds, base + Math.floor(ticks / 1e7));
        equal(t.nanos, (ticks % 1e7) * 100);
      },
    ),
  );
});
