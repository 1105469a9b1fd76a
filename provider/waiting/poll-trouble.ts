/**
 * What a region's polls have met lately: failing since when, with the last failure (the wire's retries
 * included), or a request unanswered for a while; a wait the deadline or the gateway ends says it.
 */
import { VolcengineError } from "../ecs/volcengine-error";
import type { PollTrouble } from "./wait-outcome";

/** A request still unanswered this long when a wait ends is named in its outcome ("has not answered for ..."). */
const SLOW_ANSWER_MS = 5_000;

export class PollTroubleTracker {
  /** Failing since when, with the last failure: cleared by an answered DescribeTasks, and when no one waits. */
  private failing?: { since: number; action: string; error: unknown };
  /** The request of the running poll (`started`, until `settled`, answered or not). */
  private inFlight?: { action: string; since: number };

  started(action: string, since: number): void {
    this.inFlight = { action, since };
  }

  settled(): void {
    this.inFlight = undefined;
  }

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
