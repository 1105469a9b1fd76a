/**
 * When to look at one copy, and how long it has left: pure, fed with looks, asked for times.
 *
 * The first look comes `firstDelayMs` after the start, then one every `maxDelayMs` (the ceiling) on a
 * grid that late timers do not shift: with the defaults, 5 s then the Terraform cadence's own times
 * (15, 25, 35, ... s). So an end, a stall or a failure is read within the ceiling, whatever `Process`
 * does; and the n-th look never comes before the budget cadence's n-th (`budgetGapsMs`), so a copy
 * never costs more DescribeTasks calls than Terraform's poller would. A copy due within half the
 * ceiling rides on another copy's call where its budget affords it (`wantsLook`): the ride counts as
 * its look, and its next look comes the ceiling after the call it rode, so the two share every call.
 */
import { cadenceLookAt, validateWaitPolicy, type WaitPolicy } from "./wait-policy";

/** The time-left estimate reads the rate of `Process` over about this long (the latest rises). */
const RATE_WINDOW_MS = 10 * 60_000;

export class PollSchedule {
  /** When the next look is due (clock ms). */
  dueAt: number;
  private looks = 0;
  /** The first time each higher `Process` was read, over the latest RATE_WINDOW_MS (and one before). */
  private readonly rises: { at: number; process: number }[] = [];

  constructor(
    private readonly policy: WaitPolicy,
    readonly startedAt: number,
  ) {
    validateWaitPolicy(policy);
    this.dueAt = this.affordable(startedAt + policy.firstDelayMs);
  }

  /** Whether a DescribeTasks call made at `now` should read this copy: it is due, or due soon and the budget affords the look (a ride). */
  wantsLook(now: number): boolean {
    return this.dueAt <= now || (this.dueAt <= now + this.policy.maxDelayMs / 2 && this.affordable(now) === now);
  }

  /** Counts a look whose call went out at `sentAt` (or failed then) and plans the next one. */
  looked(sentAt: number): void {
    this.looks++;
    const { minDelayMs, maxDelayMs } = this.policy;
    // A look made when due keeps the grid (a late timer does not shift the next one); a ride, or a look
    // made long after it was due (a slow poll), starts the grid again from its call.
    const onGrid = this.dueAt <= sentAt && sentAt - this.dueAt < maxDelayMs / 2;
    this.dueAt = this.affordable(Math.max(sentAt + minDelayMs, (onGrid ? this.dueAt : sentAt) + maxDelayMs));
  }

  /** `at`, or the budget's time for the next look if that is later. */
  private affordable(at: number): number {
    const budget = this.policy.budgetGapsMs;
    return budget ? Math.max(at, this.startedAt + cadenceLookAt(budget, this.looks + 1)) : at;
  }

  /** Feeds the `Process` of a running task, read at `at`. Non-numbers and values that do not rise are ignored. */
  observe(at: number, process: number | undefined): void {
    if (typeof process !== "number" || !Number.isFinite(process) || !Number.isFinite(at)) return;
    const p = Math.min(100, Math.max(0, Math.floor(process)));
    const last = this.rises[this.rises.length - 1];
    if (last && (p <= last.process || at <= last.at)) return;
    this.rises.push({ at, process: p });
    while (this.rises.length > 2 && at - this.rises[1].at >= RATE_WINDOW_MS) this.rises.shift();
  }

  /** The time left at `now` at the recent rate of `Process` (for the status line); undefined until it has risen twice. */
  remainingMs(now: number): number | undefined {
    if (this.rises.length < 2) return undefined;
    const first = this.rises[0];
    const last = this.rises[this.rises.length - 1];
    const msPerPercent = (last.at - first.at) / (last.process - first.process);
    return Math.max(0, last.at + (100 - last.process) * msPerPercent - now);
  }
}
