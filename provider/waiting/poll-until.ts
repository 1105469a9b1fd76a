/**
 * The one loop of the life cycle (in the manner of the AWS SDK v3 waiters): a probe looks once and
 * says "done, with this value" or "not yet, because ..."; the loop only loops. It sleeps by a
 * backoff, stops at a deadline, after a number of attempts, or when the abort signal fires, and
 * returns how it ended; the caller decides what that means. A probe that throws ends the loop with
 * that error (the caller's probe decides what is worth another look).
 */
import type { Clock } from "../settings/clock";

/** What one look found. */
export type Look<T> = { done: true; value: T } | { done: false; reason: string };

/** Exponential backoff: `initialMs`, times `factor` after each look, at most `maxMs`. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export interface PollOptions {
  backoff: Backoff;
  /** Absolute clock time: no sleep is started that would end after it. */
  deadline: number;
  clock: Clock;
  signal?: AbortSignal;
  /** Give up after this many looks (default: no limit). */
  maxAttempts?: number;
  /** Called before each sleep, with the reason of the last look. */
  onRetry?: (reason: string, delayMs: number, attempt: number) => void;
}

/** How the loop ended. `reason` is that of the last look ("" when there was none). */
export type PollOutcome<T> =
  | { kind: "done"; value: T; attempts: number; elapsedMs: number }
  | { kind: "timedOut" | "aborted" | "exhausted"; reason: string; attempts: number; elapsedMs: number };

export async function pollUntil<T>(probe: (attempt: number) => Promise<Look<T>>, opts: PollOptions): Promise<PollOutcome<T>> {
  const { clock, signal, backoff } = opts;
  const started = clock.now();
  let delay = backoff.initialMs;
  let reason = "";
  const end = (kind: "timedOut" | "aborted" | "exhausted", attempts: number): PollOutcome<T> => ({
    kind,
    reason,
    attempts,
    elapsedMs: clock.now() - started,
  });
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) return end("aborted", attempt - 1);
    const look = await probe(attempt);
    if (look.done) return { kind: "done", value: look.value, attempts: attempt, elapsedMs: clock.now() - started };
    reason = look.reason;
    if (opts.maxAttempts !== undefined && attempt >= opts.maxAttempts) return end("exhausted", attempt);
    if (signal?.aborted) return end("aborted", attempt);
    if (clock.now() + delay > opts.deadline) return end("timedOut", attempt);
    opts.onRetry?.(reason, delay, attempt);
    try {
      await clock.sleep(delay, signal);
    } catch (e) {
      if (signal?.aborted) return end("aborted", attempt);
      throw e;
    }
    delay = Math.min(backoff.maxMs, delay * backoff.factor);
  }
}
