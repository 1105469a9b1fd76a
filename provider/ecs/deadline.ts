/**
 * A timer for an operation's deadline, on the operation's clock. Timers cannot wait longer than
 * 2^31-1 ms (about 24.8 days): Node fires a longer one at once (TimeoutOverflowWarning), which would
 * end a wait with a long customTimeouts immediately. A far deadline is reached in steps instead.
 */
import type { Clock } from "../settings/clock";

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `fn` once `deadline` (clock ms) has come; returns a function that cancels it. */
export function atDeadline(clock: Clock, deadline: number, fn: () => void): () => void {
  let cancel: () => void = () => undefined;
  let cancelled = false;
  const arm = () => {
    if (cancelled) return;
    const left = deadline - clock.now();
    if (left > MAX_TIMER_MS) cancel = clock.setTimer(arm, MAX_TIMER_MS);
    else cancel = clock.setTimer(fn, left);
  };
  if (!Number.isFinite(deadline)) return () => undefined;
  arm();
  return () => {
    cancelled = true;
    cancel();
  };
}
