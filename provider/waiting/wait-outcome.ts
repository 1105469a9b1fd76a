/** What a wait for a copy task is asked with, how it ends, and the sentence that says so. */
import type { ImageRecord } from "../ecs/client";
import { VolcengineError } from "../ecs/volcengine-error";
import { formatDuration } from "../reporting/reporter";
import type { Progress } from "./copy-status";

/** `deadline`: clock ms after which the wait ends `timedOut`; `lastProcess`: the last progress known (when resuming), so reports do not go backwards. */
export interface WaitOptions {
  deadline: number;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  lastProcess?: number;
}

/** Why the polls could not see the copy lately: the action that failed last (or is unanswered), for how long, and the last failure (absent: no answer at all). */
export interface PollTrouble {
  action: string;
  forMs: number;
  last?: Error;
}

/** What one copy looked like when its wait ended: the task's id once DescribeTasks showed it, the last progress seen (percent), how long the wait lasted. */
export interface Seen {
  imageId: string;
  region: string;
  taskId?: string;
  lastProcess: number;
  waitedMs: number;
}

/** How a wait ended. The watcher only reports it; the caller (`finish-copy.ts`) decides what it means in one `switch`. */
export type WaitOutcome =
  /** The task Succeeded. `image`: as DescribeImages showed it right after (absent when that read failed); `seenAt`: when, on our clock. */
  | (Seen & { kind: "succeeded"; image?: ImageRecord; seenAt: number })
  /** The task ended in `Failed`, or the image is in `error`. */
  | (Seen & { kind: "failed" })
  /** The deadline passed; the copy goes on in Volcengine. `pollTrouble`: when the polls were failing. */
  | (Seen & { kind: "timedOut"; pollTrouble?: PollTrouble })
  /** The abort signal fired; the copy goes on in Volcengine. */
  | (Seen & { kind: "interrupted" })
  /** The image no longer exists (deleted behind our back), or its task never appeared. */
  | (Seen & { kind: "vanished"; why: string })
  /** DescribeTasks / DescribeImages failed for good (a final API error). */
  | (Seen & { kind: "pollError"; error: Error; pollTrouble?: PollTrouble });

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** How a wait ended, as the watcher decides it, before what was seen of the copy is added. */
export type WaitEnd = DistributiveOmit<WaitOutcome, keyof Seen>;

/** "DescribeTasks has failed for the last 58s: HTTP 502 with an HTML page, not a Volcengine answer (no request id)". */
export function describeTrouble(t: PollTrouble): string {
  if (!t.last) return `${t.action} has not answered for the last ${formatDuration(t.forMs)} (no answer at all from the endpoint)`;
  const what = t.last instanceof VolcengineError ? t.last.summary : t.last.message;
  return `${t.action} has failed for the last ${formatDuration(t.forMs)}: ${what.replace(/\.$/, "")}`;
}

/** The sentence that says how a wait ended (used in error messages). */
export function describeWait(o: WaitOutcome): string {
  switch (o.kind) {
    case "succeeded":
      return `The copy into ${o.imageId} in ${o.region} succeeded (task ${o.taskId ?? "unknown"}).`;
    case "failed":
      return `The copy into ${o.imageId} in ${o.region} failed (task ${o.taskId ?? "unknown"}, last progress ${o.lastProcess}%).`;
    case "timedOut":
      if (o.pollTrouble) {
        const seen = o.taskId ? ` (task ${o.taskId}, ${o.lastProcess}% done when last seen)` : "";
        return (
          `Timed out after ${formatDuration(o.waitedMs)} waiting for the copy into ${o.imageId} in ${o.region}${seen}: ${describeTrouble(o.pollTrouble)}. ` +
          "The copy goes on in Volcengine."
        );
      }
      return plainEnd(o);
    case "interrupted":
      return plainEnd(o);
    case "vanished":
      return `The copy into ${o.imageId} in ${o.region} ${o.why}.`;
    case "pollError":
      return o.pollTrouble && o.pollTrouble.forMs >= 1_000 ? `${o.error.message} (${describeTrouble(o.pollTrouble)}.)` : o.error.message;
  }
}

/** A wait that ran out of time (or was interrupted) with nothing wrong in the polls. */
function plainEnd(o: Extract<WaitOutcome, { kind: "timedOut" | "interrupted" }>): string {
  return (
    `${o.kind === "timedOut" ? "Timed out" : "Interrupted"} after ${formatDuration(o.waitedMs)} waiting for the copy into ${o.imageId} in ${o.region} ` +
    `(task ${o.taskId ?? "not seen yet"}, ${o.lastProcess}% done); the copy goes on in Volcengine.`
  );
}
