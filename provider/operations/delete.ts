/**
 * `delete`: DeleteImages until the image is gone, waiting while Volcengine refuses because the image
 * is still being copied, exported or locked, then confirming with DescribeImages that it is no
 * longer listed. Both within customTimeouts.delete. A shared image is never deleted.
 *
 * Snapshots: DeleteImages always says `DeleteBindedSnapshots` (the doc's default, true, and its
 * example, false, disagree): true, so that the snapshots (what a copy is billed as) go with the
 * image, unless the input `keepSnapshotsOnDelete` asks to keep them; then the delete names them.
 */
import type { DestinationRegionClient, ImageRecord } from "../ecs/client";
import { VolcengineError } from "../ecs/volcengine-error";
import { isTransient } from "../ecs/retry-rules";
import { pollUntil } from "../waiting/poll-until";
import { formatDuration, labelOf } from "../reporting/reporter";
import { imageFields, targetOf, type CopiedImageState } from "./model";
import type { OperationContext, OperationEnv } from "./context";

export async function deleteCopy(id: string, state: Partial<CopiedImageState>, env: OperationEnv, ctx: OperationContext): Promise<void> {
  const region = state.destinationRegion;
  if (typeof region !== "string") throw new Error(`cannot delete ${id}: its destinationRegion is not in the state.`);
  const destination = env.session.destination(region, ctx.signal, ctx.deadline);
  const label = labelOf(targetOf(state));
  const { clock, tunables } = env;
  const started = clock.now();
  const stopped = (refusedWith?: string) =>
    new Error(
      refusedWith
        ? `${label}: interrupted while waiting to delete ${id} in ${region}; it still exists (${refusedWith}). Run the command again.`
        : `${label}: deleting ${id} in ${region} was interrupted; run the command again.`,
    );
  const keep = state.keepSnapshotsOnDelete === true;
  const kept = keep ? await snapshotsToKeep(destination, id, state) : [];

  ctx.reporter.status(`deleting ${id}`);
  let lastAnswer = "";
  let lastCode: string | undefined;
  let deletedNow = false;
  const deleted = await pollUntil<true>(
    async () => {
      // "Not yet" (the image still copying, exporting, locked; throttling) is the one list of
      // `retry-rules.ts`, whether DeleteImages answers it for the whole request or for this image.
      let perImage: VolcengineError | undefined;
      try {
        perImage = await destination.deleteImage(id, !keep);
      } catch (e) {
        if (!isTransient(e)) throw e;
        perImage = e as VolcengineError;
      }
      if (!perImage) deletedNow = true;
      if (!perImage || perImage.code === "InvalidImage.NotFound") return { done: true, value: true };
      if (perImage.code === "InvalidImage.Shared") {
        throw new Error(`${label}: cannot delete ${id} in ${region}: ${perImage.message} Stop sharing it, then run the command again.`);
      }
      if (!isTransient(perImage)) throw new Error(`${label}: cannot delete ${id} in ${region}: ${perImage.message}`);
      lastAnswer = perImage.message;
      lastCode = perImage.code;
      return { done: false, reason: perImage.code };
    },
    {
      backoff: tunables.deletePoll,
      deadline: ctx.deadline,
      clock,
      signal: ctx.signal,
      onRetry: (code, delay) => ctx.reporter.status(`${id} cannot be deleted yet (${code}); trying again in ${formatDuration(delay)}`),
    },
  );
  switch (deleted.kind) {
    case "done":
      if (keep && deletedNow) {
        ctx.reporter.info(
          kept.length > 0
            ? `kept the snapshots of ${id} in ${region} (keepSnapshotsOnDelete): ${kept.join(", ")}. They are bound to no image now and ` +
                "stay billed as snapshot storage until you delete them by hand."
            : `kept the snapshots of ${id} in ${region} (keepSnapshotsOnDelete), whose ids are not known (DescribeImages listed none); ` +
                "they stay billed as snapshot storage until you delete them by hand.",
        );
      }
      break;
    case "aborted":
      throw stopped(lastCode);
    case "timedOut":
    case "exhausted":
      throw new Error(
        `${label}: timed out after ${formatDuration(clock.now() - started)} deleting ${id} in ${region}; it still exists. ` +
          `Last answer: ${lastAnswer} Run the command again later, or raise customTimeouts.delete.`,
      );
  }

  // Deletion is not instant everywhere: wait until DescribeImages no longer lists it.
  let lastError: unknown;
  let listed: ImageRecord | undefined;
  const gone = await pollUntil<true>(
    async () => {
      try {
        listed = await destination.describeImage(id);
        lastError = undefined;
      } catch (e) {
        // The image is already deleted; a passing failure of the confirmation must not fail the delete.
        if (!isTransient(e)) throw e;
        lastError = e;
        return { done: false, reason: (e as Error).message };
      }
      return listed ? { done: false, reason: `still listed (status ${listed.Status})` } : { done: true, value: true };
    },
    { backoff: tunables.confirmPoll, deadline: ctx.deadline, clock, signal: ctx.signal },
  );
  switch (gone.kind) {
    case "done":
      return;
    case "aborted":
      throw stopped();
    case "timedOut":
    case "exhausted":
      if (lastError) throw lastError;
      throw new Error(
        `${label}: ${id} in ${region} was deleted but is still listed (status ${listed?.Status}) after ${formatDuration(clock.now() - started)}; ` +
          "run the command again to confirm.",
      );
  }
}

/** The snapshot ids a delete that keeps them will leave: as DescribeImages says now, else as recorded. */
async function snapshotsToKeep(destination: DestinationRegionClient, id: string, state: Partial<CopiedImageState>): Promise<string[]> {
  const recorded = Array.isArray(state.snapshotIds) ? state.snapshotIds.filter((s): s is string => typeof s === "string") : [];
  try {
    const image = await destination.describeImage(id);
    const now = image ? imageFields(image).snapshotIds : undefined;
    return now && now.length > 0 ? now : recorded;
  } catch {
    return recorded;
  }
}

/** Deletes without throwing, with its snapshots (a failed copy's are worth nothing): "deleted", "gone" (it was not there any more), or "failed". */
export async function deleteQuietly(destination: DestinationRegionClient, imageId: string): Promise<"deleted" | "gone" | "failed"> {
  try {
    const err = await destination.deleteImage(imageId, true);
    return !err ? "deleted" : err.code === "InvalidImage.NotFound" ? "gone" : "failed";
  } catch {
    return "failed";
  }
}
