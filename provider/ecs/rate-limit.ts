/**
 * A client-side token bucket, so that many copies in one plugin process stay under Volcengine's
 * throttling limits instead of relying on retries. One bucket per account and endpoint.
 *
 * Volcengine publishes no per-action QPS for ECS (reference §9, [UNCONFIRMED]); its own Terraform
 * provider limits some ECS actions to 4 requests per second with a burst of 10; the image actions it
 * leaves unlimited. Our default, 10 per second with a burst of 20, is between the two
 * (`volcengine:maxRequestsPerSecond` changes it).
 * A throttling response halves the rate for a while (`penalize`), and the rate recovers with calm.
 */
import { realClock, type Clock } from "../settings/clock";
import { DEFAULT_RATE } from "../settings/tunables";

export interface RateLimitOptions {
  /** Sustained requests per second. Default 10. */
  perSecond?: number;
  /** Requests that may go at once after a quiet period. Default 20. */
  burst?: number;
  clock?: Clock;
}

export class TokenBucket {
  private readonly baseRate: number;
  private rate: number;
  private readonly burst: number;
  private tokens: number;
  private last: number;
  private readonly clock: Clock;
  /** Requests waiting for a token, in order, so a burst of callers is served first come first served. */
  private queue: Promise<void> = Promise.resolve();

  constructor(options: RateLimitOptions = {}) {
    this.baseRate = options.perSecond ?? DEFAULT_RATE.perSecond;
    this.rate = this.baseRate;
    this.burst = options.burst ?? DEFAULT_RATE.burst;
    this.tokens = this.burst;
    this.clock = options.clock ?? realClock;
    this.last = this.clock.now();
  }

  /** Resolves when the caller may send one request. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken(signal));
    // A failed (aborted) turn must not block the callers behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** The service said we were too fast: halve the rate (not below a tenth of the base) and drain the bucket. */
  penalize(): void {
    // Account for the time up to now at the old rate first; otherwise the next refill credits the
    // whole interval since the last take at the halved rate, undoing the drain and the halving.
    this.refill();
    // Halve, down to a tenth of the base rate but never above 1/s: a user who raised the limit to
    // hundreds per second keeps the protection.
    this.rate = Math.max(Math.min(1, this.baseRate / 10), this.rate / 2);
    this.tokens = Math.min(this.tokens, 0);
  }

  /** Current sustained rate, for tests and the benchmark. */
  currentRate(): number {
    return this.rate;
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.rate);
    // Recover with calm: at least a tenth of the (small) base rate per second, or 10% of the current
    // rate per second once that is more, so a high limit comes back in about a minute, not at once.
    if (this.rate < this.baseRate) {
      const perSecond = Math.max(0.1 * Math.min(this.baseRate, 10), 0.1 * this.rate);
      this.rate = Math.min(this.baseRate, this.rate + elapsed * perSecond);
    }
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
