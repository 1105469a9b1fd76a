/**
 * A client-side token bucket whose rate adapts to throttling, so that many copies in one plugin
 * process, and many processes on one account, stay under Volcengine's limits instead of relying on
 * retries. One bucket per account and endpoint (per process: processes share nothing but the account).
 *
 * Volcengine publishes no per-action QPS for ECS (reference §9, [UNCONFIRMED]); its own Terraform
 * provider limits some ECS actions to 4 requests per second with a burst of 10; the image actions it
 * leaves unlimited. Our ceiling, 10 per second with a burst of 20 by default, is between the two
 * (`volcengine:maxRequestsPerSecond` changes it).
 *
 * The account's real limit, and how many other pipelines share it, stay unknown: the bucket only
 * hears the answers. Three rules, in the manner of TCP's congestion control, with their numbers in
 * `DEFAULT_THROTTLING` (`settings/tunables.ts`):
 *
 * - Slow start: the first burst is released by the answers, one request first, then two more for
 *   each answer that was not a throttling one, so that jobs starting together on one account each
 *   learn from one request instead of all sending their bursts into the limit. Alone, the burst is
 *   out after a few round trips. Until it is, time alone adds tokens at the floor only (a start
 *   whose answers never come still goes on). The first throttling answer ends it, and cuts the rate
 *   slow start has proved (`startPerSecond`, doubled by each answer that went through), not the
 *   ceiling: a job throttled after two answers knows it may send about two a second, not ten, so
 *   jobs that start together settle near their share in one cut instead of four (which left some of
 *   them at the floor, far below their share, for tens of seconds).
 * - A throttling answer cuts the rate by a factor, down to a floor, once for the requests that left
 *   at the old rate (`penalize`: an answer to a request sent before the last cut is news that the
 *   cut already took in). The next request waits a random part of an interval at the new rate, so
 *   that jobs throttled together do not come back together.
 * - An answer that went through, to a request that had waited for its token (the rate, not the
 *   caller, was the limit), raises the rate by a fraction (`reward`). Growth per request rather
 *   than per second: a job's throttled share then does not depend on how slow the limit makes it.
 *
 * Volcengine documents no Retry-After-like header for its flow-limit answers (reference §7, §9 say
 * nothing of one; [UNCONFIRMED]): nothing here reads one, so whether or not the service sends one
 * changes nothing; the rate is the only memory.
 */
import { realClock, type Clock } from "../settings/clock";
import { DEFAULT_RATE, DEFAULT_THROTTLING, validateThrottling, type ThrottlingResponse } from "../settings/tunables";

export interface RateLimitOptions {
  /** The ceiling: sustained requests per second when nothing is throttled. Default 10. */
  perSecond?: number;
  /** Requests that may go at once after a quiet period, at the ceiling. Default 20. */
  burst?: number;
  /** How the rate answers throttling (`settings/tunables.ts`). */
  throttling?: Partial<ThrottlingResponse>;
  clock?: Clock;
  /** Uniform in [0, 1): the jitter after a throttling answer. Default Math.random. */
  random?: () => number;
}

/** What `take` hands out, to give back with the answer: when the request left, and whether it waited for its token. */
export interface Ticket {
  readonly at: number;
  readonly waited: boolean;
}

export class TokenBucket {
  private readonly ceiling: number;
  private readonly burst: number;
  private readonly throttling: ThrottlingResponse;
  private rate: number;
  private tokens: number;
  /** The part of the first burst that answers have not released yet (slow start). */
  private held: number;
  /** In slow start: the rate its answers have proved (`startPerSecond`, doubled by each that went through). */
  private proven: number;
  /** When the rate was last cut. */
  private cutAt = -Infinity;
  private last: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  /** Wakes the request waiting for a token, when slow start releases some. */
  private wake?: () => void;
  /** Requests waiting for a token, in order, so a burst of callers is served first come first served. */
  private queue: Promise<void> = Promise.resolve();

  constructor(options: RateLimitOptions = {}) {
    this.ceiling = options.perSecond ?? DEFAULT_RATE.perSecond;
    this.burst = options.burst ?? DEFAULT_RATE.burst;
    this.throttling = validateThrottling({ ...DEFAULT_THROTTLING, ...options.throttling });
    this.rate = this.ceiling;
    this.tokens = Math.min(1, this.burst);
    this.held = this.burst - this.tokens;
    this.proven = this.throttling.startPerSecond;
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    this.last = this.clock.now();
  }

  /** Resolves when the caller may send one request, with the ticket to hand back with its answer. */
  take(signal?: AbortSignal): Promise<Ticket> {
    const asked = this.clock.now();
    const turn = this.queue.then(() => this.waitForToken(signal)).then(() => ({ at: this.clock.now(), waited: this.clock.now() > asked }));
    // A failed (aborted) turn must not block the callers behind it.
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** A throttling answer: end slow start (from the rate it proved), cut the rate (once per flight, not below the floor), and add a random wait. */
  penalize(ticket: Ticket): void {
    // Account for the time up to now at the old rate first; otherwise the next refill credits the
    // whole interval since the last take at the cut rate, undoing the drain and the cut.
    this.refill();
    if (this.held > 0) this.rate = Math.min(this.rate, this.proven); // the end of slow start: cut what it proved
    if (ticket.at >= this.cutAt) {
      this.rate = Math.max(Math.min(this.throttling.floorPerSecond, this.ceiling), this.rate * this.throttling.cut);
      this.cutAt = this.clock.now();
    }
    this.held = 0;
    this.wake?.(); // to wait at the new rate, not in slow start's
    // The next request waits a random part of an interval at the new rate (full jitter), so that
    // processes throttled at once spread out.
    this.tokens = Math.min(this.tokens, 1 - this.random());
  }

  /** An answer that was not a throttling one: in slow start two more of the first burst may go (and the proved rate doubles); else, if the rate held that request back, it grows. */
  reward(ticket: Ticket): void {
    this.refill();
    if (this.held > 0) {
      this.proven *= 2;
      const released = Math.min(2, this.held);
      this.held -= released;
      this.tokens += released;
      this.wake?.();
    } else if (ticket.waited) {
      this.rate = Math.min(this.ceiling, this.rate * (1 + this.throttling.growth));
    }
  }

  /** Current sustained rate, for tests and the scripts. */
  currentRate(): number {
    return this.rate;
  }

  /** Tokens the bucket can hold: the burst at the ceiling, scaled down with the rate, at least one; less what slow start holds. */
  private capacity(): number {
    return Math.max(1, (this.burst * this.rate) / this.ceiling - this.held);
  }

  /** Tokens per second that time adds: in slow start only at the floor, the answers release the rest. */
  private fillRate(): number {
    return this.held > 0 ? Math.min(this.rate, this.throttling.floorPerSecond) : this.rate;
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.capacity(), this.tokens + elapsed * this.fillRate());
  }

  private async waitForToken(signal?: AbortSignal): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const ms = Math.ceil(((1 - this.tokens) / this.fillRate()) * 1000);
      // In slow start an answer may release tokens before then: it wakes the waiter.
      const woken = new AbortController();
      this.wake = () => woken.abort();
      try {
        await this.clock.sleep(ms, signal ? AbortSignal.any([signal, woken.signal]) : woken.signal);
      } catch (e) {
        if (signal?.aborted || !woken.signal.aborted) throw e;
      } finally {
        this.wake = undefined;
      }
    }
  }
}
