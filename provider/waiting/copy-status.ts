/** What a wait reports (`Progress`), the status line it makes (`copying 57%, about 6m left`) and the line at its end. */
import { formatDuration, type Reporter } from "../reporting/reporter";

/** One progress report of a wait, on the waiter's clock. `remainingMs`: the time left at the recent rate of `Process` (`PollSchedule.remainingMs`). */
export interface Progress {
  imageId: string;
  taskId?: string;
  status: string;
  process: number;
  elapsedMs: number;
  remainingMs?: number;
}

/** "about 6m left", "about 1h05m left", "less than a minute left". */
export function formatTimeLeft(ms: number): string {
  if (!(ms >= 0) || !Number.isFinite(ms)) return "";
  if (ms < 60_000) return "less than a minute left";
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 60) return `about ${minutes}m left`;
  return `about ${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m left`;
}

const PHASES: Record<string, string> = { Pending: "copy queued", Running: "copying", Succeeded: "copied", Failed: "copy failed" };

/** The status line for one progress report. */
export function copyStatusText(p: Progress): string {
  const phase = PHASES[p.status] ?? `copy ${String(p.status).toLowerCase()}`;
  const percent = Math.max(0, Math.min(100, Math.floor(Number(p.process) || 0)));
  const left = p.status === "Running" && p.remainingMs !== undefined ? formatTimeLeft(p.remainingMs) : "";
  return left ? `${phase} ${percent}%, ${left}` : `${phase} ${percent}%`;
}

/** The `onProgress` of one copy's wait: each report becomes the resource's status; a success is also said once, persistently. */
export function copyProgressReporter(reporter: Reporter, imageId: string): (p: Progress) => void {
  return (p) => {
    reporter.status(copyStatusText(p), { percent: p.process, final: p.status === "Succeeded" || p.status === "Failed" });
    if (p.status === "Succeeded")
      reporter.info(`${imageId} succeeded, 100% after ${formatDuration(p.elapsedMs)}${p.taskId ? ` (task ${p.taskId})` : ""}`);
  };
}
