/**
 * Waiting for copy tasks, in the manner of the AWS SDK v3 waiters: a look reads the tasks and says what
 * each copy's state means; the loop only loops. Explicit delays, a deadline, an abort signal, progress.
 *
 * Parts:
 * - `PollSchedule` (`poll-schedule.ts`): when to look at one copy (options in `wait-policy.ts`).
 * - `Waiter` (`waiters.ts`): what one wait knows and reports.
 * - `PollTroubleTracker` (`poll-trouble.ts`): what the region's polls have met lately.
 * - `TaskWatcher`: one per destination region and account. All copies waiting in that region share
 *   it, and each of its looks is ONE DescribeTasks call (up to 100 ids a call) for the copies that
 *   are due and those whose schedule lets them ride along. A wait resolves with how it ended
 *   (`wait-outcome.ts`); it never throws.
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
import { newWaiter, reportProgress, type Waiter, type WaitOptions } from "./waiters";

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

const idsOf = (waiters: Waiter[]) => [...new Set(waiters.map((w) => w.imageId))];

export class TaskWatcher {
  private readonly waiters = new Set<Waiter>();
  private cancelTimer?: () => void;
  private wakeAt = Infinity;
  private polling = false;
  /** What this region's polls have met lately (`poll-trouble.ts`). */
  private readonly trouble = new PollTroubleTracker();
  /** Number of DescribeTasks calls made (for tests and the benchmark). */
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
    return idsOf([...this.waiters]);
  }

  /** The outcome for a waiter, with what was seen of it (and, for a wait the gateway ended, what it answered). */
  private ended(w: Waiter, how: WaitEnd): WaitOutcome {
    const now = this.clock.now();
    const pollTrouble = how.kind === "timedOut" || how.kind === "pollError" ? this.trouble.at(now) : undefined;
    const seen = { imageId: w.imageId, region: this.region, taskId: w.taskId, lastProcess: w.process, waitedMs: now - w.startedAt };
    return { ...how, ...seen, ...(pollTrouble ? { pollTrouble } : {}) } as WaitOutcome;
  }

  /** Ends a wait that is still on, with that outcome. */
  private end(w: Waiter, how: WaitEnd): void {
    if (!this.waiters.has(w)) return;
    const outcome = this.ended(w, how); // before the waiter leaves: the last one out clears the trouble
    this.waiters.delete(w);
    this.reschedule();
    w.cleanup();
    w.resolve(outcome);
  }

  /** Bounds of a poll's request: the latest deadline among the waits it serves, and failure notes. */
  private bounds(action: string, waiters: Waiter[]): CallBounds {
    const deadline = Math.max(...waiters.map((w) => w.deadline));
    const since = this.clock.now();
    this.trouble.started(action, since);
    return { deadline, onAttemptFailed: (e) => this.trouble.noteFailure(action, e, since) };
  }

  private reschedule(): void {
    if (this.polling) return; // the running poll reschedules when it ends
    if (this.waiters.size === 0) {
      this.cancelTimer?.();
      this.cancelTimer = undefined;
      this.wakeAt = Infinity;
      this.trouble.clear();
      return;
    }
    let next = Infinity;
    for (const w of this.waiters) next = Math.min(next, w.schedule.dueAt, w.deadline);
    if (this.cancelTimer && next >= this.wakeAt) return;
    this.cancelTimer?.();
    this.wakeAt = next;
    this.cancelTimer = this.clock.setTimer(() => void this.tick(), next - this.clock.now());
  }

  private async tick(): Promise<void> {
    this.cancelTimer = undefined;
    const early = this.wakeAt > this.clock.now(); // a timer may fire a hair early (clock rounding): no look before it is due
    this.wakeAt = Infinity;
    if (early) return this.reschedule();
    this.polling = true;
    try {
      await this.look();
    } catch (e) {
      // look() handles API errors itself; anything else fails the waiters rather than the process.
      for (const w of [...this.waiters]) this.end(w, { kind: "pollError", error: e as Error });
    } finally {
      this.polling = false;
      this.reschedule();
    }
  }

  /** One look: one DescribeTasks call for every copy that wants it, then what each answer means. */
  private async look(): Promise<void> {
    const now0 = this.clock.now();
    for (const w of [...this.waiters]) if (now0 >= w.deadline) this.end(w, { kind: "timedOut" });
    const waiters = [...this.waiters].filter((w) => w.schedule.wantsLook(now0));
    if (waiters.length === 0) return;
    let tasks: TaskRecord[];
    const sentAt = this.clock.now();
    try {
      this.polls++;
      tasks = await this.source.describeTasksForImages(idsOf(waiters), this.bounds("DescribeTasks", waiters));
      this.trouble.clear();
    } catch (e) {
      this.lookFailed("DescribeTasks", e, waiters, sentAt);
      return;
    } finally {
      this.trouble.settled();
    }
    const now = this.clock.now();
    const needImageCheck: Waiter[] = [];
    const succeeded: Waiter[] = [];
    for (const w of waiters) {
      if (!this.waiters.has(w)) continue;
      w.schedule.looked(sentAt);
      const task = copyTaskFor(tasks, w.imageId);
      if (!task) {
        // Not visible yet (eventual consistency), or long gone (a resumed old copy): ask DescribeImages
        // after the grace period, and from time to time anyway.
        if (now - w.startedAt >= this.policy.invisibleGraceMs || now - w.lastImageCheck >= this.policy.imageCheckEveryMs) needImageCheck.push(w);
        continue;
      }
      w.taskId = task.Id;
      if (typeof task.Process === "number" && Number.isFinite(task.Process)) w.process = Math.max(w.process, task.Process);
      // Only a running task's progress measures the copy's rate (Pending sits at 0 for a while).
      if (task.Status === "Running") w.schedule.observe(now, task.Process);
      if (task.Status === "Succeeded") {
        w.process = 100;
        succeeded.push(w);
        continue;
      }
      reportProgress(w, task.Status, now);
      if (task.Status === "Failed") this.end(w, { kind: "failed" });
      else if (now - w.lastImageCheck >= this.policy.imageCheckEveryMs) needImageCheck.push(w);
    }
    if (succeeded.length || needImageCheck.length) await this.readImages(succeeded, needImageCheck, now);
  }

  /**
   * One DescribeImages call for the copies that succeeded in this look (their images go in the outcome;
   * when the read fails the life cycle reads them itself) and for those it must confirm: what
   * DescribeTasks cannot say, the image is gone, or done without a visible task.
   */
  private async readImages(succeeded: Waiter[], toCheck: Waiter[], seenAt: number): Promise<void> {
    const waiters = [...succeeded, ...toCheck];
    const sentAt = this.clock.now();
    let images: ImageRecord[] | undefined;
    try {
      images = await this.source.describeImages(idsOf(waiters), this.bounds("DescribeImages", waiters));
    } catch (e) {
      if (toCheck.length) this.lookFailed("DescribeImages", e, toCheck, sentAt);
    } finally {
      this.trouble.settled();
    }
    const now = this.clock.now();
    for (const w of succeeded) {
      reportProgress(w, "Succeeded", now);
      this.end(w, { kind: "succeeded", seenAt, image: images?.find((i) => i.ImageId === w.imageId) });
    }
    for (const w of images ? toCheck : []) {
      if (!this.waiters.has(w)) continue;
      w.lastImageCheck = now;
      const image = images!.find((i) => i.ImageId === w.imageId);
      if (!image) this.end(w, { kind: "vanished", why: "no longer exists: it was deleted while the provider waited for it" });
      else if (image.Status === "error") this.end(w, { kind: "failed" });
      else if (image.Status === "available" && !w.taskId) {
        w.process = 100;
        this.end(w, { kind: "succeeded", seenAt: now });
      } else if (!w.taskId && now - w.startedAt >= this.policy.invisibleGraceMs && image.Status !== "creating") {
        this.end(w, { kind: "vanished", why: `has no copy task and is in status ${image.Status}` });
      }
    }
  }

  private lookFailed(action: string, e: unknown, waiters: Waiter[], sentAt: number): void {
    const now = this.clock.now();
    this.trouble.noteFailure(action, e, sentAt);
    // Waits whose deadline passed during the poll end as timed out (with what the gateway answered).
    // A request cut off by the deadline says so itself: the poll is bounded by the latest deadline of
    // the waits it serves, so every one of them is out of time, even if the clock reads a hair before.
    const outOfTime = e instanceof VolcengineError && e.code === "DeadlineExceeded";
    for (const w of waiters) if (now >= w.deadline || outOfTime) this.end(w, { kind: "timedOut" });
    if (!isTransient(e)) {
      for (const w of waiters) this.end(w, { kind: "pollError", error: e as Error });
      return;
    }
    // The wire already retried with backoff; a long copy should not fail over one bad spell. A failed
    // DescribeTasks counts as a look (it was a call); the next one comes on the schedule from now.
    this.log(`polling ${this.region} failed, will try again: ${(e as Error).message}`);
    if (action === "DescribeTasks") for (const w of waiters) if (this.waiters.has(w)) w.schedule.looked(now);
  }
}
