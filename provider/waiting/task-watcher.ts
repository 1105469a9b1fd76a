/**
 * Waiting for copy tasks, as the AWS SDK v3 waiters do: a look reads the tasks and says what each state
 * means; the loop only loops. One `TaskWatcher` per destination region and account, shared by every
 * copy waiting there: each look is ONE DescribeTasks call (up to 100 ids a call) for the copies that
 * are due and those that ride along (`poll-schedule.ts`). A wait resolves with how it ended; never throws.
 */
import type { ImageRecord, TaskRecord } from "../ecs/client";
import type { CallBounds } from "../ecs/wire";
import { isTransient } from "../ecs/retry-rules";
import { VolcengineError } from "../ecs/volcengine-error";
import { realClock, type Clock } from "../settings/clock";
import { atDeadline } from "../ecs/deadline";
import type { WaitEnd, WaitOptions, WaitOutcome } from "./wait-outcome";
import { PollSchedule } from "./poll-schedule";
import { DEFAULT_WAIT_POLICY, type WaitPolicy } from "./wait-policy";
import { PollTroubleTracker } from "./poll-trouble";

/** The ECS client of the region. `bounds`: the waits' deadline, and a hook told of every failed attempt (what the gateway answers). */
export interface TaskSource {
  describeTasksForImages(imageIds: readonly string[], bounds?: CallBounds): Promise<TaskRecord[]>;
  describeImages(imageIds: readonly string[], bounds?: CallBounds): Promise<ImageRecord[]>;
}

/** Picks the task that tracks this copy: Type CopyImage where given, the newest first. */
function copyTaskFor(tasks: TaskRecord[], imageId: string): TaskRecord | undefined {
  const mine = tasks.filter((t) => t.ResourceId === imageId && (t.Type === undefined || t.Type === "CopyImage"));
  return mine.sort((a, b) => String(b.CreatedAt ?? "").localeCompare(String(a.CreatedAt ?? "")))[0];
}

/** What one wait knows. `cleanup` removes its abort listener and deadline timer (one process-wide signal serves every wait). */
interface Waiter extends WaitOptions {
  imageId: string;
  schedule: PollSchedule;
  taskId?: string;
  process: number;
  lastImageCheck: number;
  resolve: (o: WaitOutcome) => void;
  cleanup: () => void;
}

/** Tells a wait's caller of its progress; a report never breaks the wait (nor becomes an unhandled rejection). */
function reportProgress(w: Waiter, status: string, now: number): void {
  const remainingMs = status === "Running" ? w.schedule.remainingMs(now) : undefined;
  const elapsedMs = now - w.schedule.startedAt;
  try {
    w.onProgress?.({ imageId: w.imageId, taskId: w.taskId, status, process: w.process, elapsedMs, remainingMs });
  } catch {
    // ignored (see above)
  }
}

const idsOf = (waiters: Iterable<Waiter>) => [...new Set([...waiters].map((w) => w.imageId))];

export class TaskWatcher {
  private readonly waiters = new Set<Waiter>();
  private cancelTimer?: () => void;
  private wakeAt = Infinity;
  private polling = false;
  private readonly trouble = new PollTroubleTracker();

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
      const schedule = new PollSchedule(this.policy, now);
      const w: Waiter = { ...opts, imageId, schedule, process: opts.lastProcess ?? 0, lastImageCheck: now, resolve, cleanup: () => undefined };
      const { signal } = opts;
      const onAbort = () => this.end(w, { kind: "interrupted" });
      signal?.addEventListener("abort", onAbort, { once: true });
      // The deadline ends the wait on time even while a poll is stuck (a hanging gateway, the wire's retries).
      const stopDeadline = atDeadline(this.clock, opts.deadline, () => this.end(w, { kind: "timedOut" }));
      w.cleanup = () => {
        signal?.removeEventListener("abort", onAbort);
        stopDeadline();
      };
      this.waiters.add(w);
      if (signal?.aborted) return this.end(w, { kind: "interrupted" });
      this.reschedule();
    });
  }

  /** Images currently waited for. */
  pending(): string[] {
    return idsOf(this.waiters);
  }

  /** Ends a wait that is still on, with what was seen of it (and, for a wait the gateway ended, what it answered). */
  private end(w: Waiter, how: WaitEnd): void {
    if (!this.waiters.has(w)) return;
    const now = this.clock.now();
    const pollTrouble = how.kind === "timedOut" || how.kind === "pollError" ? this.trouble.at(now) : undefined;
    const seen = { imageId: w.imageId, region: this.region, taskId: w.taskId, lastProcess: w.process, waitedMs: now - w.schedule.startedAt };
    this.waiters.delete(w); // after the trouble is read: the last one out clears it
    this.reschedule();
    w.cleanup();
    w.resolve({ ...how, ...seen, ...(pollTrouble ? { pollTrouble } : {}) } as WaitOutcome);
  }

  /** Bounds of a poll's request: the latest deadline among the waits it serves, and failure notes. */
  private bounds(action: string, waiters: Waiter[]): CallBounds {
    const since = this.clock.now();
    this.trouble.started(action, since);
    return { deadline: Math.max(...waiters.map((w) => w.deadline)), onAttemptFailed: (e) => this.trouble.noteFailure(action, e, since) };
  }

  private reschedule(): void {
    if (this.polling) return; // the running look reschedules when it ends
    let next = Infinity;
    for (const w of this.waiters) next = Math.min(next, w.schedule.dueAt, w.deadline);
    if (this.cancelTimer && next >= this.wakeAt && next < Infinity) return;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.wakeAt = next;
    if (next < Infinity) this.cancelTimer = this.clock.setTimer(() => void this.tick(), next - this.clock.now());
    else this.trouble.clear(); // no one waits any more
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
    const sentAt = this.clock.now();
    for (const w of [...this.waiters]) if (sentAt >= w.deadline) this.end(w, { kind: "timedOut" });
    const waiters = [...this.waiters].filter((w) => w.schedule.wantsLook(sentAt));
    if (waiters.length === 0) return;
    let tasks: TaskRecord[];
    try {
      tasks = await this.source.describeTasksForImages(idsOf(waiters), this.bounds("DescribeTasks", waiters));
      this.trouble.clear();
    } catch (e) {
      return this.lookFailed("DescribeTasks", e, waiters, sentAt);
    } finally {
      this.trouble.settled();
    }
    const now = this.clock.now();
    const { invisibleGraceMs, imageCheckEveryMs } = this.policy;
    const toCheck: Waiter[] = [];
    const succeeded: Waiter[] = [];
    for (const w of waiters.filter((x) => this.waiters.has(x))) {
      w.schedule.looked(sentAt);
      const task = copyTaskFor(tasks, w.imageId);
      // Not visible yet (eventual consistency), or long gone (a resumed old copy): DescribeImages decides
      // after the grace period; and from time to time anyway, whether the image still exists.
      const checkDue = now - w.lastImageCheck >= imageCheckEveryMs;
      if (!task && (checkDue || now - w.schedule.startedAt >= invisibleGraceMs)) toCheck.push(w);
      if (!task) continue;
      w.taskId = task.Id;
      if (typeof task.Process === "number" && Number.isFinite(task.Process)) w.process = Math.max(w.process, task.Process);
      // Only a running task's progress measures the copy's rate (Pending sits at 0 for a while).
      if (task.Status === "Running") w.schedule.observe(now, task.Process);
      if (task.Status === "Succeeded") succeeded.push(w);
      else reportProgress(w, task.Status, now);
      if (task.Status === "Failed") this.end(w, { kind: "failed" });
      else if (checkDue && task.Status !== "Succeeded") toCheck.push(w);
    }
    if (succeeded.length || toCheck.length) await this.readImages(succeeded, toCheck, now);
  }

  /** One DescribeImages call: the images of the copies that succeeded (the life cycle reads them itself if this fails), and what DescribeTasks cannot say of the others. */
  private async readImages(succeeded: Waiter[], toCheck: Waiter[], seenAt: number): Promise<void> {
    const sentAt = this.clock.now();
    let images: ImageRecord[] | undefined;
    try {
      images = await this.source.describeImages(idsOf([...succeeded, ...toCheck]), this.bounds("DescribeImages", [...succeeded, ...toCheck]));
    } catch (e) {
      if (toCheck.length) this.lookFailed("DescribeImages", e, toCheck, sentAt);
    } finally {
      this.trouble.settled();
    }
    const now = this.clock.now();
    for (const w of succeeded) {
      w.process = 100;
      reportProgress(w, "Succeeded", now);
      this.end(w, { kind: "succeeded", seenAt, image: images?.find((i) => i.ImageId === w.imageId) });
    }
    for (const w of images ? toCheck.filter((x) => this.waiters.has(x)) : []) {
      w.lastImageCheck = now;
      const image = images!.find((i) => i.ImageId === w.imageId);
      if (!image) this.end(w, { kind: "vanished", why: "no longer exists: it was deleted while the provider waited for it" });
      else if (image.Status === "error") this.end(w, { kind: "failed" });
      else if (image.Status === "available" && !w.taskId) {
        w.process = 100;
        this.end(w, { kind: "succeeded", seenAt: now });
      } else if (!w.taskId && now - w.schedule.startedAt >= this.policy.invisibleGraceMs && image.Status !== "creating")
        this.end(w, { kind: "vanished", why: `has no copy task and is in status ${image.Status}` });
    }
  }

  private lookFailed(action: string, e: unknown, waiters: Waiter[], sentAt: number): void {
    const now = this.clock.now();
    this.trouble.noteFailure(action, e, sentAt);
    // Waits whose deadline passed end as timed out, saying what the gateway answered. A request cut off by the
    // deadline (the latest of the waits it serves) says so itself, even if the clock reads a hair before.
    const outOfTime = e instanceof VolcengineError && e.code === "DeadlineExceeded";
    for (const w of waiters) if (now >= w.deadline || outOfTime) this.end(w, { kind: "timedOut" });
    if (!isTransient(e)) return waiters.forEach((w) => this.end(w, { kind: "pollError", error: e as Error }));
    // The wire already retried; one bad spell should not fail a long copy. A failed call counts as a look.
    this.log(`polling ${this.region} failed, will try again: ${(e as Error).message}`);
    if (action === "DescribeTasks") for (const w of waiters) if (this.waiters.has(w)) w.schedule.looked(now);
  }
}
