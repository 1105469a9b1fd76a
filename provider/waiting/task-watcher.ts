/**
 * Waiting for copy tasks, as a small state machine apart from HTTP (in the manner of the AWS SDK
 * v3 waiters): explicit first/min/max delays, a deadline, an abort signal, progress callbacks.
 *
 * Parts:
 * - `PollSchedule` (`poll-schedule.ts`): when to look next for one copy (options in `wait-policy.ts`).
 * - `Waiters` (`waiters.ts`): who waits for which image, and what each wait reports.
 * - `PollTroubleTracker` (`poll-trouble.ts`): what the region's polls have met lately.
 * - `TaskWatcher`: one per destination region and account. All copies waiting in that region share
 *   it, and each of its polls is ONE DescribeTasks call for all of them (up to 100 ids a call),
 *   made when the earliest of them is due. A wait resolves with how it ended (`wait-outcome.ts`);
 *   it never throws.
 */
import type { ImageRecord, TaskRecord } from "../ecs/client";
import type { CallBounds } from "../ecs/wire";
import { isTransient } from "../ecs/retry-rules";
import { VolcengineError } from "../ecs/volcengine-error";
import { realClock, type Clock } from "../settings/clock";
import { atDeadline } from "../ecs/deadline";
import type { WaitEnd, WaitOutcome } from "./wait-outcome";
import { PollSchedule } from "./poll-schedule";
import { DEFAULT_WAIT_POLICY, type WaitPolicy } from "./wait-policy";
import { PollTroubleTracker } from "./poll-trouble";
import { Waiters, newWaiter, reportProgress, type Waiter, type WaitOptions } from "./waiters";

/** What a TaskWatcher needs from the ECS client of its region. `bounds`: the deadline of the waits a
 * poll serves, and a hook told of every failed attempt (so a wait can say what the gateway answers). */
export interface TaskSource {
  describeTasksForImages(imageIds: readonly string[], bounds?: CallBounds): Promise<TaskRecord[]>;
  describeImages(imageIds: readonly string[], bounds?: CallBounds): Promise<ImageRecord[]>;
}

/** Picks the task that tracks this copy: Type CopyImage where given, the newest first. */
function copyTaskFor(tasks: TaskRecord[], imageId: string): TaskRecord | undefined {
  const mine = tasks.filter((t) => t.ResourceId === imageId && (t.Type === undefined || t.Type === "CopyImage"));
  mine.sort((a, b) => String(b.CreatedAt ?? "").localeCompare(String(a.CreatedAt ?? "")));
  return mine[0];
}

/** How early a timer may fire (clock rounding), ms: a copy due this soon counts as due. */
const TIMER_EARLY_MS = 50;

export class TaskWatcher {
  private readonly waiters = new Waiters();
  private cancelTimer?: () => void;
  private wakeAt = Infinity;
  private polling = false;
  /** What this region's polls have met lately (`poll-trouble.ts`). */
  private readonly trouble = new PollTroubleTracker();
  /** Number of DescribeTasks rounds made (for tests and the benchmark). */
  polls = 0;

  constructor(
    readonly region: string,
    private readonly source: TaskSource,
    private readonly policy: WaitPolicy = DEFAULT_WAIT_POLICY,
    private readonly clock: Clock = realClock,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  /** Resolves with how the wait for the copy into `imageId` ended; never rejects. */
  wait(imageId: string, opts: WaitOptions): Promise<WaitOutcome> {
    return new Promise<WaitOutcome>((resolve) => {
      const now = this.clock.now();
      const w = newWaiter(imageId, opts, new PollSchedule(this.policy, now), now, resolve);
      const cleanups: (() => void)[] = [];
      if (opts.signal) {
        const signal = opts.signal;
        if (signal.aborted) return resolve(this.ended(w, { kind: "interrupted" }));
        const onAbort = () => this.end(w, { kind: "interrupted" });
        signal.addEventListener("abort", onAbort, { once: true });
        cleanups.push(() => signal.removeEventListener("abort", onAbort));
      }
      // The deadline ends the wait on time even while a poll is stuck (a hanging gateway, the wire's retries).
      cleanups.push(atDeadline(this.clock, opts.deadline, () => this.end(w, { kind: "timedOut" })));
      w.cleanup = () => cleanups.forEach((c) => c());
      this.waiters.add(w);
      this.reschedule();
    });
  }

  /** Images currently waited for. */
  pending(): string[] {
    return this.waiters.images();
  }

  /** The outcome for a waiter, with what was seen of it (and, for a wait the gateway ended, what it answered). */
  private ended(w: Waiter, how: WaitEnd): WaitOutcome {
    const now = this.clock.now();
    const pollTrouble = how.kind === "timedOut" || how.kind === "pollError" ? this.trouble.at(now) : undefined;
    return {
      ...how,
      imageId: w.imageId,
      region: this.region,
      taskId: w.taskId,
      lastProcess: w.process,
      waitedMs: now - w.startedAt,
      ...(pollTrouble ? { pollTrouble } : {}),
    } as WaitOutcome;
  }

  /** Bounds of a poll's request: the latest deadline among the waits it serves, and failure notes. */
  private bounds(action: string, waiters: Waiter[]): CallBounds {
    let deadline = -Infinity;
    for (const w of waiters) deadline = Math.max(deadline, w.deadline);
    const since = this.clock.now();
    this.trouble.started(action, since);
    return { deadline, onAttemptFailed: (e) => this.trouble.noteFailure(action, e, since) };
  }

  /** Ends a wait that is still on, with that outcome. */
  private end(w: Waiter, how: WaitEnd): void {
    if (!this.isWaiting(w)) return;
    const outcome = this.ended(w, how); // before the waiter leaves: the last one out clears the trouble
    this.settle(w, () => w.resolve(outcome));
  }

  private reschedule(): void {
    if (this.polling) return; // the running poll reschedules when it ends
    const waiters = this.waiters.all();
    if (waiters.length === 0) {
      this.cancelTimer?.();
      this.cancelTimer = undefined;
      this.wakeAt = Infinity;
      this.trouble.clear();
      return;
    }
    let next = Infinity;
    for (const w of waiters) next = Math.min(next, w.dueAt, w.deadline);
    if (this.cancelTimer && next >= this.wakeAt) return;
    this.cancelTimer?.();
    this.wakeAt = next;
    this.cancelTimer = this.clock.setTimer(() => void this.tick(), next - this.clock.now());
  }

  private async tick(): Promise<void> {
    this.cancelTimer = undefined;
    this.wakeAt = Infinity;
    this.polling = true;
    try {
      await this.poll();
    } catch (e) {
      // poll() handles API errors itself; anything else fails the waiters rather than the process.
      for (const w of this.waiters.all()) this.end(w, { kind: "pollError", error: e as Error });
    } finally {
      this.polling = false;
      this.reschedule();
    }
  }

  private async poll(): Promise<void> {
    const now0 = this.clock.now();
    for (const w of this.waiters.all()) if (now0 >= w.deadline) this.end(w, { kind: "timedOut" });
    // The copies that are due ask for this call; the others ride along only where their budget affords
    // the look (it counts against it), so that no copy is read by more calls than its cadence allows,
    // and not just before their own finish window (see `PollSchedule.welcomes`). A copy due a moment
    // later is not taken early: that look could be the one it planned in its window, wasted.
    const waiters = this.waiters.all().filter((w) => w.dueAt <= now0 + TIMER_EARLY_MS || w.schedule.welcomes(now0));
    if (waiters.length === 0) return;
    const ids = [...new Set(waiters.map((w) => w.imageId))];
    let tasks: TaskRecord[];
    const startedAt = this.clock.now();
    try {
      this.polls++;
      tasks = await this.source.describeTasksForImages(ids, this.bounds("DescribeTasks", waiters));
      this.trouble.clear();
    } catch (e) {
      this.pollFailed("DescribeTasks", e, waiters, startedAt);
      return;
    } finally {
      this.trouble.settled();
    }
    const now = this.clock.now();
    const needImageCheck: Waiter[] = [];
    const succeeded: Waiter[] = [];
    const planNext = (w: Waiter) => {
      w.dueAt = now + w.schedule.nextDelay(now, startedAt);
    };
    for (const w of waiters) {
      if (!this.isWaiting(w)) continue;
      const task = copyTaskFor(tasks, w.imageId);
      if (!task) {
        // Not visible yet (eventual consistency), or long gone (a resumed old copy): ask DescribeImages
        // after the grace period, and from time to time anyway.
        if (now - w.startedAt >= this.policy.invisibleGraceMs || now - w.lastImageCheck >= this.policy.imageCheckEveryMs) needImageCheck.push(w);
        planNext(w);
        continue;
      }
      w.taskId = task.Id;
      const process = typeof task.Process === "number" ? task.Process : w.process;
      if (process > w.process || task.Status !== "Running") w.process = Math.max(w.process, process);
      // Only a running task's progress measures the copy's rate (Pending sits at 0 for a while).
      // The API read it between the call and its answer: the model bounds each side with its own time.
      if (task.Status === "Running") w.schedule.observe(now, task.Process, startedAt);
      if (task.Status === "Succeeded") {
        w.process = 100;
        succeeded.push(w);
      } else if (task.Status === "Failed") {
        reportProgress(w, task.Status, now);
        this.end(w, { kind: "failed" });
      } else {
        reportProgress(w, task.Status, now);
        if (now - w.lastImageCheck >= this.policy.imageCheckEveryMs) needImageCheck.push(w);
        planNext(w);
      }
    }
    if (succeeded.length) await this.finish(succeeded, now);
    if (needImageCheck.length) await this.checkImages(needImageCheck);
  }

  /** Resolves the copies that succeeded in this poll, with their images read in one DescribeImages call. */
  private async finish(waiters: Waiter[], seenAt: number): Promise<void> {
    let images: ImageRecord[] = [];
    try {
      images = await this.source.describeImages([...new Set(waiters.map((w) => w.imageId))], this.bounds("DescribeImages", waiters));
    } catch {
      // The life cycle reads the image itself when this did not work.
    } finally {
      this.trouble.settled();
    }
    const now = this.clock.now();
    for (const w of waiters) {
      reportProgress(w, "Succeeded", now);
      const image = images.find((i) => i.ImageId === w.imageId);
      this.end(w, { kind: "succeeded", seenAt, image });
    }
  }

  /** Confirms with DescribeImages what DescribeTasks cannot say: the image is gone, or done without a visible task. */
  private async checkImages(waiters: Waiter[]): Promise<void> {
    let images: ImageRecord[];
    const startedAt = this.clock.now();
    try {
      images = await this.source.describeImages([...new Set(waiters.map((w) => w.imageId))], this.bounds("DescribeImages", waiters));
    } catch (e) {
      this.pollFailed("DescribeImages", e, waiters, startedAt);
      return;
    } finally {
      this.trouble.settled();
    }
    const now = this.clock.now();
    for (const w of waiters) {
      if (!this.isWaiting(w)) continue;
      w.lastImageCheck = now;
      const image = images.find((i) => i.ImageId === w.imageId);
      if (!image) {
        this.end(w, { kind: "vanished", why: "no longer exists: it was deleted while the provider waited for it" });
      } else if (image.Status === "available" && !w.taskId) {
        w.process = 100;
        this.end(w, { kind: "succeeded", seenAt: now });
      } else if (image.Status === "error") {
        this.end(w, { kind: "failed" });
      } else if (!w.taskId && now - w.startedAt >= this.policy.invisibleGraceMs && image.Status !== "creating") {
        this.end(w, { kind: "vanished", why: `has no copy task and is in status ${image.Status}` });
      }
    }
  }

  private pollFailed(action: string, e: unknown, waiters: Waiter[], startedAt: number): void {
    const now = this.clock.now();
    this.trouble.noteFailure(action, e, startedAt);
    // Waits whose deadline passed during the poll end as timed out (with what the gateway answered).
    // A request cut off by the deadline says so itself: the poll is bounded by the latest deadline of
    // the waits it serves, so every one of them is out of time, even if the clock reads a hair before.
    const outOfTime = e instanceof VolcengineError && e.code === "DeadlineExceeded";
    for (const w of waiters) if (now >= w.deadline || outOfTime) this.end(w, { kind: "timedOut" });
    if (isTransient(e)) {
      // The wire already retried with backoff; a long copy should not fail over one bad spell.
      this.log(`polling ${this.region} failed, will try again: ${(e as Error).message}`);
      for (const w of waiters) w.dueAt = now + this.policy.maxDelayMs / 2;
      return;
    }
    for (const w of waiters) if (this.isWaiting(w)) this.end(w, { kind: "pollError", error: e as Error });
  }

  private isWaiting(w: Waiter): boolean {
    return this.waiters.has(w);
  }

  private settle(w: Waiter, done: () => void): void {
    if (!this.isWaiting(w)) return;
    this.waiters.remove(w);
    this.reschedule();
    w.cleanup();
    done();
  }
}
