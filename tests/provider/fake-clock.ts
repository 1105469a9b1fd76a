/**
 * A fake Clock for unit tests: time moves only when the test says so.
 *
 * `advance(ms)` fires every timer due within the next `ms`, in order of due time (then of
 * creation), moving `now()` to each timer's moment before calling it, and lets promises settle
 * (a few `setImmediate` turns) between timers so that async code reacting to a timer runs before
 * the next one fires. `runUntilIdle()` does the same until no timer is left.
 */
import type { Clock } from "../../provider/settings/clock";

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/** Lets pending promise chains run: a few macrotask turns, each draining the microtask queue. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  /** Every delay given to setTimer/sleep, in order (for assertions about cadence). */
  readonly requested: number[] = [];

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const delay = Math.max(0, Number.isFinite(ms) ? ms : 0);
    this.requested.push(delay);
    const timer: Timer = { at: this.t + delay, seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error("aborted"));
      const onAbort = () => {
        cancel();
        reject(signal?.reason ?? new Error("aborted"));
      };
      const cancel = this.setTimer(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Number of timers not fired or cancelled yet. */
  pendingTimers(): number {
    return this.timers.length;
  }

  /** Due time of the next timer, or undefined. */
  nextTimerAt(): number | undefined {
    return this.next()?.at;
  }

  private next(): Timer | undefined {
    let best: Timer | undefined;
    for (const x of this.timers) if (!best || x.at < best.at || (x.at === best.at && x.seq < best.seq)) best = x;
    return best;
  }

  private fire(timer: Timer): void {
    this.timers = this.timers.filter((x) => x !== timer);
    this.t = Math.max(this.t, timer.at);
    timer.fn();
  }

  /** Moves time forward by `ms`, firing due timers in order and letting promises settle between them. */
  async advance(ms: number): Promise<void> {
    const target = this.t + Math.max(0, ms);
    await settle();
    for (;;) {
      const timer = this.next();
      if (!timer || timer.at > target) break;
      this.fire(timer);
      await settle();
    }
    this.t = target;
    await settle();
  }

  /** Fires timers until none is left (or `maxTimers` fired, which throws: something never stops). */
  async runUntilIdle(maxTimers = 100_000): Promise<void> {
    await settle();
    for (let fired = 0; ; fired++) {
      const timer = this.next();
      if (!timer) return;
      if (fired >= maxTimers) throw new Error(`FakeClock.runUntilIdle: still busy after ${maxTimers} timers`);
      this.fire(timer);
      await settle();
    }
  }
}
