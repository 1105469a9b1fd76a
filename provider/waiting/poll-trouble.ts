/**
 * What a region's polls have met lately: since when they have been failing and the last failure
 * (any attempt, the wire's retries included), or a request unanswered for a while. A wait that the
 * deadline or the gateway ends says this in its outcome (`PollTrouble`). Apart from `task-watcher.ts`
 * because it is bookkeeping about the gateway, not about any one copy: the watcher tells it when a
 * request starts, fails, is answered, and asks it what to say.
 */
import { VolcengineError } from "../ecs/volcengine-error";
import type { PollTrouble } from "./wait-outcome";

/** A request still unanswered this long when a wait ends is named in its outcome ("has not answered for ..."). */
const SLOW_ANSWER_MS = 5_000;

export class PollTroubleTracker {
  /** Since when the polls have been failing, and the last failure; cleared by an answered
   * DescribeTasks, and when no one waits any more. */
  private failing?: { since: number; action: string; error: unknown };
  /** The request of the running poll: which action, since when. */
  private inFlight?: { action: string; since: number };

  /** A poll's request goes out. */
  started(action: string, since: number): void {
    this.inFlight = { action, since };
  }

  /** The poll's request ended, answered or not. */
  settled(): void {
    this.inFlight = undefined;
  }

  /** The polls work again (an answered DescribeTasks), or no one waits any more. */
  clear(): void {
    this.failing = undefined;
  }

  /** A failed attempt of a poll's request (the wire's retries included). The deadline's own error says nothing new. */
  noteFailure(action: string, e: unknown, startedAt: number): void {
    if (e instanceof VolcengineError && e.code === "DeadlineExceeded") return;
    this.failing = { since: this.failing?.since ?? startedAt, action, error: e };
  }

  /** What the polls have met lately: failing since when (with the last answer), or a request unanswered for a while. */
  at(now: number): PollTrouble | undefined {
    if (this.failing) return { action: this.failing.action, forMs: now - this.failing.since, last: this.failing.error as Error };
    if (this.inFlight && now - this.inFlight.since >= SLOW_ANSWER_MS) return { action: this.inFlight.action, forMs: now - this.inFlight.since };
    return undefined;
  }
}
