/**
 * Waiting for copy tasks, as a small state machine apart from HTTP (in the manner of the AWS SDK
 * v3 waiters): explicit first/min/max delays, a deadline, an abort signal, progress callbacks.
 *
 * Two parts:
 * - `PollSchedule`: when to look next for one copy. Quick first checks, then a backoff to a
 *   ceiling; once `Process` rises, the finish time is predicted from the observed rate and the
 *   next look is placed near it, with shorter and shorter intervals as it comes close, so that
 *   completion is seen soon after it happens without polling a long copy every few seconds.
 * - `TaskWatcher`: one per destination region and account. All copies waiting in that region share
 *   it, and each of its polls is ONE DescribeTasks call for all of them (up to 100 ids a call),
 *   made when the earliest of them is due.
 */
import type { ImageRecord, TaskRecord } from "./ecs";
import { isTransient } from "./wire";
import { realClock, type Clock } from "./clock";
import { DEFAULT_WAIT_POLICY, PollSchedule, type WaitPolicy } from "./schedule";

export { DEFAULT_WAIT_POLICY, PollSchedule, finishWindowOf, type WaitPolicy } from "./schedule";

export interface Progress {
  imageId: string;
  taskId?: string;
  status: string;
  process: number;
  elapsedMs: number;
}

export interface WaitResult {
  imageId: string;
  taskId?: string;
  /** The image as DescribeImages showed it right after the task succeeded (one call for all copies
   * that finished in the same poll); absent when that read failed. */
  image?: ImageRecord;
  /** How long after the task's completion was seen, measured on our clock from the first look that saw it (for the benchmark). */
  seenAt: number;
}

/** A copy task ended in `Failed`. */
export class CopyFailedError extends Error {
  override readonly name = "CopyFailedError";
  constructor(
    readonly imageId: string,
    readonly region: string,
    readonly taskId: string | undefined,
    readonly lastProcess: number,
  ) {
    super(`The copy into ${imageId} in ${region} failed (task ${taskId ?? "unknown"}, last progress ${lastProcess}%).`);
  }
}

/** The wait ran past its deadline, or was interrupted; the copy itself goes on. */
export class CopyNotFinishedError extends Error {
  override readonly name = "CopyNotFinishedError";
  constructor(
    readonly imageId: string,
    readonly region: string,
    readonly taskId: string | undefined,
    readonly lastProcess: number,
    readonly waitedMs: number,
    readonly reason: "timeout" | "interrupted",
  ) {
    super(
      `${reason === "timeout" ? "Timed out" : "Interrupted"} after ${formatDuration(waitedMs)} waiting for the copy into ${imageId} in ${region} ` +
        `(task ${taskId ?? "not seen yet"}, ${lastProcess}% done); the copy goes on in Volcengine.`,
    );
  }
}

/** The image being waited for no longer exists (deleted behind our back), or its task never appeared. */
export class CopyVanishedError extends Error {
  override readonly name = "CopyVanishedError";
  constructor(
    readonly imageId: string,
    readonly region: string,
    why: string,
  ) {
    super(`The copy into ${imageId} in ${region} ${why}.`);
  }
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** What a TaskWatcher needs from the ECS client of its region. */
export interface TaskSource {
  describeTasksForImages(imageIds: readonly string[]): Promise<TaskRecord[]>;
  describeImages(imageIds: readonly string[]): Promise<ImageRecord[]>;
}

interface Waiter {
  imageId: string;
  startedAt: number;
  deadline: number;
  dueAt: number;
  schedule: PollSchedule;
  taskId?: string;
  process: number;
  lastImageCheck: number;
  onProgress?: (p: Progress) => void;
  resolve: (r: WaitResult) => void;
  reject: (e: Error) => void;
  /** Removes the abort listener (one process-wide signal serves every wait). */
  cleanup: () => void;
}

export interface WaitOptions {
  /** Absolute time (clock ms) after which the wait gives up with CopyNotFinishedError. */
  deadline: number;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** The last progress known (when resuming), so the first report does not go backwards. */
  lastProcess?: number;
}

/** Picks the task that tracks this copy: Type CopyImage where given, the newest first. */
function copyTaskFor(tasks: TaskRecord[], imageId: string): TaskRecord | undefined {
  const mine = tasks.filter((t) => t.ResourceId === imageId && (t.Type === undefined || t.Type === "CopyImage"));
  mine.sort((a, b) => String(b.CreatedAt ?? "").localeCompare(String(a.CreatedAt ?? "")));
  return mine[0];
}

export class TaskWatcher {
  private readonly waiters = new Map<string, Waiter[]>();
  private cancelTimer?: () => void;
  private wakeAt = Infinity;
  private polling = false;
  /** Number of DescribeTasks rounds made (for tests and the benchmark). */
  polls = 0;

  constructor(
    readonly region: string,
    private readonly source: TaskSource,
    private readonly policy: WaitPolicy = DEFAULT_WAIT_POLICY,
    private readonly clock: Clock = realClock,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  /** Resolves when the copy into `imageId` has Succeeded; rejects with CopyFailedError,
   * CopyNotFinishedError or CopyVanishedError, or any final API error. */
  wait(imageId: string, opts: WaitOptions): Promise<WaitResult> {
    return new Promise<WaitResult>((resolve, reject) => {
      const now = this.clock.now();
      const w: Waiter = {
        imageId,
        startedAt: now,
        deadline: opts.deadline,
        schedule: new PollSchedule(this.policy, now),
        dueAt: 0,
        process: opts.lastProcess ?? 0,
        lastImageCheck: now,
        onProgress: opts.onProgress,
        resolve,
        reject,
        cleanup: () => undefined,
      };
      w.dueAt = now + w.schedule.nextDelay(now);
      if (opts.signal) {
        const signal = opts.signal;
        if (signal.aborted) return reject(this.notFinished(w, "interrupted"));
        const onAbort = () => this.settle(w, () => w.reject(this.notFinished(w, "interrupted")));
        signal.addEventListener("abort", onAbort, { once: true });
        w.cleanup = () => signal.removeEventListener("abort", onAbort);
      }
      const list = this.waiters.get(imageId) ?? [];
      list.push(w);
      this.waiters.set(imageId, list);
      this.reschedule();
    });
  }

  /** Images currently waited for. */
  pending(): string[] {
    return [...this.waiters.keys()];
  }

  private notFinished(w: Waiter, reason: "timeout" | "interrupted"): CopyNotFinishedError {
    return new CopyNotFinishedError(w.imageId, this.region, w.taskId, w.process, this.clock.now() - w.startedAt, reason);
  }

  private remove(w: Waiter): void {
    const list = (this.waiters.get(w.imageId) ?? []).filter((x) => x !== w);
    if (list.length) this.waiters.set(w.imageId, list);
    else this.waiters.delete(w.imageId);
    this.reschedule();
  }

  private all(): Waiter[] {
    return [...this.waiters.values()].flat();
  }

  private reschedule(): void {
    if (this.polling) return; // the running poll reschedules when it ends
    const waiters = this.all();
    if (waiters.length === 0) {
      this.cancelTimer?.();
      this.cancelTimer = undefined;
      this.wakeAt = Infinity;
      return;
    }
    const next = Math.min(...waiters.map((w) => Math.min(w.dueAt, w.deadline)));
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
      for (const w of this.all()) this.settle(w, () => w.reject(e as Error));
    } finally {
      this.polling = false;
      this.reschedule();
    }
  }

  private async poll(): Promise<void> {
    const now0 = this.clock.now();
    for (const w of this.all()) if (now0 >= w.deadline) this.settle(w, () => w.reject(this.notFinished(w, "timeout")));
    const waiters = this.all();
    if (waiters.length === 0) return;
    const ids = [...new Set(waiters.map((w) => w.imageId))];
    let tasks: TaskRecord[];
    try {
      this.polls++;
      tasks = await this.source.describeTasksForImages(ids);
    } catch (e) {
      this.pollFailed(e, waiters);
      return;
    }
    const now = this.clock.now();
    const needImageCheck: Waiter[] = [];
    const succeeded: Waiter[] = [];
    for (const w of waiters) {
      if (!this.isWaiting(w)) continue;
      const task = copyTaskFor(tasks, w.imageId);
      if (!task) {
        // Not visible yet (eventual consistency), or long gone (a resumed old copy): ask DescribeImages
        // after the grace period, and from time to time anyway.
        if (now - w.startedAt >= this.policy.invisibleGraceMs || now - w.lastImageCheck >= this.policy.imageCheckEveryMs) needImageCheck.push(w);
        w.dueAt = now + w.schedule.nextDelay(now);
        continue;
      }
      w.taskId = task.Id;
      const process = typeof task.Process === "number" ? task.Process : w.process;
      if (process > w.process || task.Status !== "Running") w.process = Math.max(w.process, process);
      // Only a running task's progress measures the copy's rate (Pending sits at 0 for a while).
      if (task.Status === "Running") w.schedule.observe(now, task.Process);
      if (task.Status === "Succeeded") {
        w.process = 100;
        succeeded.push(w);
      } else if (task.Status === "Failed") {
        this.report(w, task.Status, now);
        this.settle(w, () => w.reject(new CopyFailedError(w.imageId, this.region, w.taskId, w.process)));
      } else {
        this.report(w, task.Status, now);
        if (now - w.lastImageCheck >= this.policy.imageCheckEveryMs) needImageCheck.push(w);
        w.dueAt = now + w.schedule.nextDelay(now);
      }
    }
    if (succeeded.length) await this.finish(succeeded, now);
    if (needImageCheck.length) await this.checkImages(needImageCheck);
  }

  /** Resolves the copies that succeeded in this poll, with their images read in one DescribeImages call. */
  private async finish(waiters: Waiter[], seenAt: number): Promise<void> {
    let images: ImageRecord[] = [];
    try {
      images = await this.source.describeImages([...new Set(waiters.map((w) => w.imageId))]);
    } catch {
      // The life cycle reads the image itself when this did not work.
    }
    const now = this.clock.now();
    for (const w of waiters) {
      this.report(w, "Succeeded", now);
      const image = images.find((i) => i.ImageId === w.imageId);
      this.settle(w, () => w.resolve({ imageId: w.imageId, taskId: w.taskId, seenAt, image }));
    }
  }

  /** Confirms with DescribeImages what DescribeTasks cannot say: the image is gone, or done without a visible task. */
  private async checkImages(waiters: Waiter[]): Promise<void> {
    let images: ImageRecord[];
    try {
      images = await this.source.describeImages([...new Set(waiters.map((w) => w.imageId))]);
    } catch (e) {
      this.pollFailed(e, waiters);
      return;
    }
    const now = this.clock.now();
    for (const w of waiters) {
      if (!this.isWaiting(w)) continue;
      w.lastImageCheck = now;
      const image = images.find((i) => i.ImageId === w.imageId);
      if (!image) {
        this.settle(w, () => w.reject(new CopyVanishedError(w.imageId, this.region, "no longer exists: it was deleted while the provider waited for it")));
      } else if (image.Status === "available" && !w.taskId) {
        w.process = 100;
        this.settle(w, () => w.resolve({ imageId: w.imageId, taskId: w.taskId, seenAt: now }));
      } else if (image.Status === "error") {
        this.settle(w, () => w.reject(new CopyFailedError(w.imageId, this.region, w.taskId, w.process)));
      } else if (!w.taskId && now - w.startedAt >= this.policy.invisibleGraceMs && image.Status !== "creating") {
        this.settle(w, () => w.reject(new CopyVanishedError(w.imageId, this.region, `has no copy task and is in status ${image.Status}`)));
      }
    }
  }

  private pollFailed(e: unknown, waiters: Waiter[]): void {
    const now = this.clock.now();
    if (isTransient(e)) {
      // The wire already retried with backoff; a long copy should not fail over one bad spell.
      this.log(`polling ${this.region} failed, will try again: ${(e as Error).message}`);
      for (const w of waiters) w.dueAt = now + this.policy.maxDelayMs / 2;
      return;
    }
    for (const w of waiters) if (this.isWaiting(w)) this.settle(w, () => w.reject(e as Error));
  }

  private isWaiting(w: Waiter): boolean {
    return (this.waiters.get(w.imageId) ?? []).includes(w);
  }

  private settle(w: Waiter, done: () => void): void {
    if (!this.isWaiting(w)) return;
    this.remove(w);
    w.cleanup();
    done();
  }

  private report(w: Waiter, status: string, now: number): void {
    try {
      w.onProgress?.({ imageId: w.imageId, taskId: w.taskId, status, process: w.process, elapsedMs: now - w.startedAt });
    } catch {
      // A progress report must never break the wait (nor become an unhandled rejection).
    }
  }
}
