/**
 * How a wait for a copy task ends. The watcher (`wait.ts`) only reports the outcome; the caller
 * (`finish-copy.ts`) decides what it means in one \`switch\`.
 */
import type { ImageRecord } from "./ecs";
import { formatDuration } from "./report";

/** What one copy looked like when its wait ended. */
export interface Seen {
  imageId: string;
  region: string;
  /** The copy task's id, once DescribeTasks showed it. */
  taskId?: string;
  /** The last progress seen, in percent. */
  lastProcess: number;
  /** How long this wait lasted. */
  waitedMs: number;
}

/**
 * How a wait ended. The watcher only reports it; the caller decides what it means (an error, a
 * partial state, a deletion) in one `switch`.
 */
export type WaitOutcome =
  /** The task Succeeded. `image` is the image as DescribeImages showed it right after (one call for
   * all copies that finished in the same poll); absent when that read failed. `seenAt`: when the
   * completion was seen, on our clock (for the benchmark). */
  | (Seen & { kind: "succeeded"; image?: ImageRecord; seenAt: number })
  /** The task ended in `Failed`, or the image is in `error`. */
  | (Seen & { kind: "failed" })
  /** The deadline passed; the copy goes on in Volcengine. */
  | (Seen & { kind: "timedOut" })
  /** The abort signal fired; the copy goes on in Volcengine. */
  | (Seen & { kind: "interrupted" })
  /** The image no longer exists (deleted behind our back), or its task never appeared. */
  | (Seen & { kind: "vanished"; why: string })
  /** DescribeTasks / DescribeImages failed for good (a final API error). */
  | (Seen & { kind: "pollError"; error: Error });

/** The sentence that says how a wait ended (used in error messages). */
export function describeWait(o: WaitOutcome): string {
  switch (o.kind) {
    case "succeeded":
      return `The copy into ${o.imageId} in ${o.region} succeeded (task ${o.taskId ?? "unknown"}).`;
    case "failed":
      return `The copy into ${o.imageId} in ${o.region} failed (task ${o.taskId ?? "unknown"}, last progress ${o.lastProcess}%).`;
    case "timedOut":
    case "interrupted":
      return (
        `${o.kind === "timedOut" ? "Timed out" : "Interrupted"} after ${formatDuration(o.waitedMs)} waiting for the copy into ${o.imageId} in ${o.region} ` +
        `(task ${o.taskId ?? "not seen yet"}, ${o.lastProcess}% done); the copy goes on in Volcengine.`
      );
    case "vanished":
      return `The copy into ${o.imageId} in ${o.region} ${o.why}.`;
    case "pollError":
      return o.error.message;
  }
}
