/**
 * The waiter bookkeeping of a `TaskWatcher`: what a wait is asked with (`WaitOptions`), what it
 * reports (`Progress`), the state kept per wait (`Waiter`), and the waits registered per image (one
 * image may be waited for by more than one caller). Apart from `task-watcher.ts` because it is plain
 * record keeping: the watcher decides when to poll and what an answer means; this only says who is
 * still waiting.
 */
import type { PollSchedule } from "./poll-schedule";
import type { WaitOutcome } from "./wait-outcome";

export interface Progress {
  imageId: string;
  taskId?: string;
  status: string;
  process: number;
  elapsedMs: number;
  /** The schedule's estimate of the time left (`PollSchedule.remainingMs`), while it has one. */
  remainingMs?: number;
}

export interface WaitOptions {
  /** Absolute time (clock ms) after which the wait ends with the outcome `timedOut`. */
  deadline: number;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** The last progress known (when resuming), so the first report does not go backwards. */
  lastProcess?: number;
}

export interface Waiter {
  imageId: string;
  startedAt: number;
  deadline: number;
  dueAt: number;
  schedule: PollSchedule;
  taskId?: string;
  process: number;
  lastImageCheck: number;
  onProgress?: (p: Progress) => void;
  resolve: (o: WaitOutcome) => void;
  /** Removes the abort listener (one process-wide signal serves every wait). */
  cleanup: () => void;
}

/** The waits still on, by image id. */
export class Waiters {
  private readonly byImage = new Map<string, Waiter[]>();

  add(w: Waiter): void {
    const list = this.byImage.get(w.imageId) ?? [];
    list.push(w);
    this.byImage.set(w.imageId, list);
  }

  remove(w: Waiter): void {
    const list = (this.byImage.get(w.imageId) ?? []).filter((x) => x !== w);
    if (list.length) this.byImage.set(w.imageId, list);
    else this.byImage.delete(w.imageId);
  }

  has(w: Waiter): boolean {
    return (this.byImage.get(w.imageId) ?? []).includes(w);
  }

  all(): Waiter[] {
    return [...this.byImage.values()].flat();
  }

  /** Images currently waited for. */
  images(): string[] {
    return [...this.byImage.keys()];
  }
}

/** A new wait, its first look planned. */
export function newWaiter(imageId: string, opts: WaitOptions, schedule: PollSchedule, now: number, resolve: (o: WaitOutcome) => void): Waiter {
  const w: Waiter = {
    imageId,
    startedAt: now,
    deadline: opts.deadline,
    schedule,
    dueAt: 0,
    process: opts.lastProcess ?? 0,
    lastImageCheck: now,
    onProgress: opts.onProgress,
    resolve,
    cleanup: () => undefined,
  };
  w.dueAt = now + schedule.nextDelay(now);
  return w;
}

/** Tells a wait's caller of its progress. */
export function reportProgress(w: Waiter, status: string, now: number): void {
  try {
    const remainingMs = status === "Running" ? w.schedule.remainingMs(now) : undefined;
    w.onProgress?.({ imageId: w.imageId, taskId: w.taskId, status, process: w.process, elapsedMs: now - w.startedAt, remainingMs });
  } catch {
    // A progress report must never break the wait (nor become an unhandled rejection).
  }
}
