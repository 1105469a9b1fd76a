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
 * hears throttling answers. As in TCP's CUBIC and the AWS SDKs' adaptive retry mode, its rate is cut
 * by a factor on every throttling answer (`penalize`; one flight of answers compounds the cut, which
 * is how a process far over its share gets there in one round trip) and grows back along a cubic in
 * the time since the cut (`reward`): quickly to near the rate that was cut, slowly past it, then
 * faster. Each process so settles near its share by itself. The bucket holds at most the burst scaled
 * to the current rate, and after a throttling answer the next request waits a random part of an
 * interval, so processes throttled together do not come back together.
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

export class TokenBucket {
  private readonly ceiling: number;
  private readonly burst: number;
  private readonly throttling: ThrottlingResponse;
  private rate: number;
  /** The rate the last throttling answer cut, and when. */
  private peak: number;
  private cutAt = -Infinity;
  private tokens: number;
  private last: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  /** Requests waiting for a token, in order, so a burst of callers is served first come first served. */
  private queue: Promise<void> = Promise.resolve();

  constructor(options: RateLimitOptions = {}) {
    this.ceiling = options.perSecond ?? DEFAULT_RATE.perSecond;
    this.burst = options.burst ?? DEFAULT_RATE.burst;
    this.throttling = validateThrottling({ ...DEFAULT_THROTTLING, ...options.throttling });
    this.rate = this.ceiling;
    this.peak = this.ceiling;
    this.tokens = this.burst;
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    this.last = this.clock.now();
  }

  /** Resolves when the caller may send one request. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken(signal));
    // A failed (aborted) turn must not block the callers behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** The service said we were too fast: cut the rate (not below the floor), drain the bucket, and add a random wait. */
  penalize(): void {
    // Account for the time up to now at the old rate first; otherwise the next refill credits the
    // whole interval since the last take at the cut rate, undoing the drain and the cut.
    this.refill();
    this.peak = this.rate;
    this.cutAt = this.clock.now();
    this.rate = Math.max(Math.min(this.throttling.floorPerSecond, this.ceiling), this.rate * this.throttling.cut);
    // The next request waits a random part of an interval at the new rate, so that processes
    // throttled at once spread out. Not added up over several answers: the cut already compounds.
    this.tokens = Math.min(this.tokens, 1 - this.random());
  }

  /**
   * A request went through: the rate follows a cubic in the time since the last cut (CUBIC's, scaled
   * to the rate that was cut): back near that rate quickly, flat around it, then probing beyond it
   * faster and faster the longer nothing is throttled; at most doubling with one answer.
   */
  reward(): void {
    this.refill();
    const t = (this.clock.now() - this.cutAt) / 1000 / this.throttling.recoverySeconds - 1;
    const cubic = this.peak * (1 + (1 - this.throttling.cut) * t * t * t);
    this.rate = Math.min(this.ceiling, 2 * this.rate, Math.max(this.rate, cubic));
  }

  /** Current sustained rate, for tests and the scripts. */
  currentRate(): number {
    return this.rate;
  }

  /** Tokens the bucket can hold: the burst at the ceiling, scaled down with the rate, at least one. */
  private capacity(): number {
    return Math.max(1, (this.burst * this.rate) / this.ceiling);
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.capacity(), this.tokens + elapsed * this.rate);
  }

  private async waitForToken(signal?: AbortSignal): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const ms = Math.ceil(((1 - this.tokens) / this.rate) * 1000);
      await this.clock.sleep(ms, signal);
    }
  }
}
