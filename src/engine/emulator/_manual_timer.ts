// A deadline timer for tests: it records the deadline; the test moves a ManualClock there
// and fires it.

import type { DeadlineTimer } from "./deadline_timer.ts";

/** A timer that fires only when told to (`fire`), for tests driving a ManualClock. */
export class ManualTimer implements DeadlineTimer {
  /** The armed deadline, model ms (`Infinity`: none). */
  deadlineMs = Infinity;
  /** The callback the owner registered. */
  onFire: () => void = () => {};

  arm(atMs: number): void {
    this.deadlineMs = atMs;
  }

  disarm(): void {
    this.deadlineMs = Infinity;
  }

  close(): void {
    this.deadlineMs = Infinity;
  }

  /** Fires the armed deadline (the owner re-arms). */
  fire(): void {
    this.deadlineMs = Infinity;
    this.onFire();
  }
}
