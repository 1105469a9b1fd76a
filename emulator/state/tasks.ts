// A copy task and what DescribeTasks shows of it at a given simulated moment. Pure functions of the
// clock: nothing runs in the background.
import { elapsedWhenProcessReaches, pendingMs, processAt, type ProgressShape } from "./progress";

export interface TaskRec {
  id: string;
  region: string; // destination region (where DescribeTasks finds it)
  accountId: string;
  resourceId: string;
  sourceRegion: string;
  sourceImageId: string;
  createdAt: number; // simulated ms
  durationMs: number; // simulated
  failAtPercent?: number;
  /** Simulated time at which the task was cut short (its image deleted out of band). */
  abortedAt?: number;
  invisibleUntilReal: number; // real epoch ms
  /** The progress profile in force when the task was created (default linear); fixed so Process never goes back. */
  progress?: ProgressShape;
}

export interface TaskView {
  status: "Pending" | "Running" | "Succeeded" | "Failed";
  process: number;
  updatedAt: number;
  endAt?: number;
}

/** Default progress at which a copyFails fault makes the copy fail when the fault names none. */
export const DEFAULT_FAIL_AT_PERCENT = 40;

const LINEAR: ProgressShape = { profile: "linear" };

export function taskView(t: TaskRec, now: number): TaskView {
  const d = Math.max(0, t.durationMs);
  const shape = t.progress ?? LINEAR;
  const failTime = t.failAtPercent === undefined ? Infinity : elapsedWhenProcessReaches(shape, t.failAtPercent, d);
  const abort = t.abortedAt === undefined ? Infinity : t.abortedAt - t.createdAt;
  const e = now - t.createdAt;
  const firstFail = Math.min(failTime, abort);
  if (e >= firstFail && firstFail <= d) {
    const at = t.createdAt + firstFail;
    const process = firstFail === failTime ? Math.max(0, Math.min(99, Math.floor(t.failAtPercent!))) : Math.min(99, processAt(shape, firstFail, d));
    return { status: "Failed", process, updatedAt: at, endAt: at };
  }
  if (e >= d) return { status: "Succeeded", process: 100, updatedAt: t.createdAt + d, endAt: t.createdAt + d };
  if (e < pendingMs(d)) return { status: "Pending", process: 0, updatedAt: t.createdAt };
  return { status: "Running", process: processAt(shape, e, d), updatedAt: now };
}
