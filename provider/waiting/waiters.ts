/**
 * What a wait is asked with (`WaitOptions`), what it reports (`Progress`), and the state kept per wait
 * (`Waiter`). Apart from `task-watcher.ts` because it is plain record keeping: the watcher decides
 * when to look and what an answer means; this only says what one wait knows.
 */
import type { PollSchedule } from "./poll-schedule";
import type { WaitOutcome } from "./wait-outcome";

export interface Progress {
  imageId: string;
  taskId?: string;
  status: string;
  process: number;
  elapsedMs: number;
  /** The time left at the recent rate of `Process` (`PollSchedule.remainingMs`), while there is one. */
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
  /** When to look next, and the time left. */
  schedule: PollSchedule;
  taskId?: string;
  process: number;
  lastImageCheck: number;
  onProgress?: (p: Progress) => void;
  resolve: (o: WaitOutcome) => void;
  /** Removes the abort listener and the deadline timer (one process-wide signal serves every wait). */
  cleanup: () => void;
}

/** A new wait; its schedule plans the first look. */
export function newWaiter(imageId: string, opts: WaitOptions, schedule: PollSchedule, now: number, resolve: (o: WaitOutcome) => void): Waiter {
  const { deadline, onProgress } = opts;
  return {
    imageId,
    startedAt: now,
    deadline,
    schedule,
    process: opts.lastProcess ?? 0,
    lastImageCheck: now,
    onProgress,
    resolve,
    cleanup: () => undefined,
  };
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
