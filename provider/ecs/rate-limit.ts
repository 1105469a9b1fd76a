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
 * hears the answers. Its rules, in the manner of TCP's congestion control, with their numbers in
 * `DEFAULT_THROTTLING` (`settings/tunables.ts`), chosen with `npm run shared-account` (separate
 * processes on one account) and `npm run shared-account-sim` (the same on virtual time):
 *
 * - Slow start: the first burst is released by the answers: one request, then one more for the first
 *   answer that was not a throttling one and two more for each later one, so that jobs starting
 *   together on one account each learn from one request instead of all sending their bursts into the
 *   limit (the first answer's one more tells a job whether a second request fits before it sends two).
 *   Alone, the burst is out after a few round trips. Until it is, time alone adds tokens at the floor
 *   only (a start whose answers never come still goes on).
 * - The first throttling answer ends slow start. If nothing had gone through, it says only that
 *   others share the account, not how many: the rate becomes `startPerSecond`, uncut (cutting it
 *   left the jobs that lost the first race far below their share, and the last of them done long
 *   after the others). If answers had gone through, it cuts the rate they proved (`startPerSecond`,
 *   doubled by each), not the ceiling: a job throttled after two answers knows it may send about two
 *   a second, not ten.
 * - A later throttling answer cuts the rate by a factor, down to a floor, once for the requests that
 *   left at the old rate (an answer to a request sent before the last cut is news that the cut
 *   already took in).
 * - After any throttling answer the next request waits between half an interval and one and a half
 *   at the new rate, at random, so that jobs throttled together come back apart; and the bucket
 *   holds one token at most from then on: a throttled job paces its requests, it never bursts.
 * - An answer that went through, to a request that had waited for its token (the rate, not the
 *   caller, was the limit), grows the rate (`reward`): paced, such answers come every 1/rate
 *   seconds, and each adds `growth` / rate², so the rate grows by `growth` / rate each second. The
 *   slower the job, the faster it grows: a job the account happened to throttle, cut below the
 *   others, catches up with them, and parallel jobs end together (their wall time is the last
 *   one's). Growth by a step an answer (the rule before) gave the quick jobs more answers, so more
 *   growth; growth by the same amount a second (tried too) kept a job cut once behind to the end.
 *   Once no throttling answer has come for `speedUpAfterMs`, the growth is multiplied by the fourth
 *   power of the time since the last cut (in `speedUpAfterMs`): a crowded account throttles each job
 *   every few seconds, so its jobs keep the slow growth, and a job left alone at the floor gets back
 *   to the ceiling in about a minute.
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
  /** Uniform in [0, 1): the wait after a throttling answer. Default Math.random. */
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
  /** In slow start: answers that went through. */
  private through = 0;
  /** Whether a throttling answer has come: from then on the bucket holds one token at most. */
  private throttled = false;
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

  /** A throttling answer: end slow start, cut the rate (once per flight, not below the floor, not at all if nothing went through yet), and wait a random interval. */
  penalize(ticket: Ticket): void {
    // Account for the time up to now at the old rate first; otherwise the next refill credits the
    // whole interval since the last take at the cut rate, undoing the drain and the cut.
    this.refill();
    if (this.held > 0 && this.through === 0) {
      this.rate = Math.min(this.rate, this.throttling.startPerSecond); // others are here; how many is unknown
      this.cutAt = this.clock.now();
    } else {
      if (this.held > 0) this.rate = Math.min(this.rate, this.proven); // the end of slow start: cut what it proved
      if (ticket.at >= this.cutAt) {
        this.rate = Math.max(Math.min(this.throttling.floorPerSecond, this.ceiling), this.rate * this.throttling.cut);
        this.cutAt = this.clock.now();
      }
    }
    this.held = 0;
    this.throttled = true;
    // The next request waits (0.5 + random) intervals at the new rate: processes throttled at once spread out.
    this.tokens = 0.5 - this.random();
    this.wake?.(); // to wait at the new rate, not in slow start's
  }

  /** An answer that was not a throttling one: in slow start it releases more of the first burst (and the proved rate doubles); else, if the rate held that request back, the rate grows (by `growth` / rate a second of such answers). */
  reward(ticket: Ticket): void {
    this.refill();
    if (this.held > 0) {
      this.through++;
      this.proven *= 2;
      const released = Math.min(this.through === 1 ? 1 : 2, this.held);
      this.held -= released;
      this.tokens += released;
      this.wake?.();
    } else if (ticket.waited) {
      // A process left alone after throttling (the others done, a storm over) must not crawl back:
      // the longer since the last cut, the faster the growth.
      const quietFor = Number.isFinite(this.cutAt) ? (this.clock.now() - this.cutAt) / this.throttling.speedUpAfterMs : 1;
      this.rate = Math.min(this.ceiling, this.rate + (this.throttling.growth / this.rate ** 2) * Math.max(1, quietFor) ** 4);
    }
  }

  /** Current sustained rate, for tests and the scripts. */
  currentRate(): number {
    return this.rate;
  }

  /** Tokens the bucket can hold: once throttled, one; before, the burst at the ceiling, scaled down with the rate, at least one, less what slow start holds. */
  private capacity(): number {
    return this.throttled ? 1 : Math.max(1, (this.burst * this.rate) / this.ceiling - this.held);
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
