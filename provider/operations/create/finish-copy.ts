/**
 * Waiting for a started copy and reading its final outputs, without ever letting the copy go
 * unrecorded: what each way the wait can end means (an error, a partial state saved by Pulumi, a
 * deletion of the failed copy) is decided in one `switch`.
 */
import { describeWait } from "../../waiting/wait-outcome";
import { OWNER_TAG_KEY, managedTags, wantedTags } from "../naming";
import type { ImageRecord } from "../../ecs/client";
import { imageFields, partialStateError, shapeOutputs, targetOf, type CopiedImageInputs, type CopiedImageState } from "../model";
import { ReconcileError, describeReconcileFailure, ownerTagWarning, pickTags, reconcile, reported, tagsOf } from "../reconcile";
import { deleteQuietly } from "../delete";
import { labelOf } from "../../reporting/reporter";
import { copyProgressReporter } from "../../waiting/copy-status";
import type { OperationContext, OperationEnv } from "../context";

export interface FinishCopy {
  imageId: string;
  inputs: CopiedImageInputs;
  /** The outputs so far (status `creating`, the last progress and task id known). */
  outs: CopiedImageState;
  /** The operation: it decides what a partial state means and which timeout to raise. */
  op: "create" | "update";
}

export async function finishCopy({ imageId, inputs, outs, op }: FinishCopy, env: OperationEnv, ctx: OperationContext): Promise<CopiedImageState> {
  const region = inputs.destinationRegion;
  const destination = env.session.destination(region, ctx.signal, ctx.deadline);
  const label = labelOf(targetOf(inputs));
  const partial = (message: string, extra: Partial<CopiedImageState>) =>
    partialStateError(message, imageId, { ...outs, ...extra, __provider: inputs.__provider });

  const outcome = await env.session.watcher(region).wait(imageId, {
    deadline: ctx.deadline,
    lastProcess: typeof outs.progress === "number" ? outs.progress : 0,
    signal: ctx.signal,
    onProgress: copyProgressReporter(ctx.reporter, imageId),
  });

  switch (outcome.kind) {
    case "succeeded":
      break;
    case "timedOut":
    case "interrupted":
      throw partial(
        `${label}: ${describeWait(outcome)} It is recorded in the state: the next \`pulumi up\` waits for it again instead of copying twice` +
          ` (raise customTimeouts.${op} for long copies), and \`pulumi destroy\` deletes it.`,
        { status: "creating", taskId: outcome.taskId ?? outs.taskId, progress: outcome.lastProcess },
      );
    case "failed": {
      const deleted = await deleteQuietly(destination, imageId);
      const message =
        `${label}: ${describeWait(outcome)} ` +
        (deleted === "deleted"
          ? `The failed copy ${imageId} was deleted.`
          : deleted === "gone"
            ? `The copy ${imageId} no longer exists: it was deleted outside Pulumi while the provider waited for it.`
            : `The failed copy ${imageId} could not be deleted yet; it is recorded in the state and the next \`pulumi up\` replaces it.`);
      if (deleted !== "failed" && op === "create") throw new Error(message);
      throw partial(message, { status: "error", taskId: outcome.taskId, progress: outcome.lastProcess });
    }
    case "vanished":
      if (op === "create") throw new Error(`${label}: ${describeWait(outcome)}`);
      throw partial(`${label}: ${describeWait(outcome)}; the next \`pulumi up\` makes a new copy.`, { status: "error" });
    case "pollError":
      throw partial(
        `${label}: waiting for ${imageId} in ${region} failed: ${describeWait(outcome)} ` +
          "The copy is recorded in the state; the next `pulumi up` waits for it again.",
        { status: "creating" },
      );
  }

  const taskId = outcome.taskId ?? outs.taskId;
  const userKeys = Object.keys(managedTags(inputs.tags));
  let image: ImageRecord | undefined;
  try {
    image = outcome.image ?? (await destination.describeImage(imageId));
    if (!image) throw new Error(`The copy into ${imageId} in ${region} was not found right after its copy task succeeded.`);
  } catch (e) {
    // Neither its fields (status, snapshots) nor which tags are on it are known: the state keeps
    // `creating` (the next `pulumi up` looks at the task again and reads it) and records none of the
    // tags, so that the next `pulumi up` sets them.
    throw partial(
      `${label}: the copy ${imageId} finished but reading it failed: ${(e as Error).message} It is recorded in the state; run \`pulumi up\` again to read it.`,
      {
        taskId,
        progress: 100,
        tags: inputs.tags !== undefined ? {} : undefined,
      },
    );
  }
  const fields = {
    ...imageFields(image),
    imageName: reported("read", undefined, image.ImageName, inputs.imageName),
    description: reported("read", undefined, image.Description, undefined),
    taskId,
    progress: 100,
  };
  // Tags.N on CopyImage is in the SDKs but on no doc page we read: where the copy lacks a tag we
  // sent (or copyImageTags brought the source's value for one of our keys), set it now. The
  // ownership tag is best effort: without it the copy is only harder to find after a crash.
  try {
    await reconcile(destination, imageId, { tags: wantedTags(inputs) }, { tags: tagsOf(image), managedKeys: [] });
  } catch (e) {
    if (!(e instanceof ReconcileError)) throw e;
    if (e.missingTags.every((t) => t.Key === OWNER_TAG_KEY)) {
      ctx.reporter.warn(ownerTagWarning(imageId, e));
    } else {
      throw partial(
        `${label}: the copy ${imageId} is made, but ${describeReconcileFailure(e)} ` +
          `The copy is recorded in the state with only the tags really on it (not set: ${missingList(e)}); the next \`pulumi up\` sets them.`,
        { ...fields, tags: pickTags(e.applied.tags, userKeys) },
      );
    }
  }
  return shapeOutputs(inputs, imageId, fields);
}

/** The user's tag keys a failed reconcile left off the image. */
export function missingList(e: ReconcileError): string {
  const keys = e.missingTags.map((t) => t.Key).filter((k) => k !== OWNER_TAG_KEY);
  return keys.length > 0 ? keys.join(", ") : "none";
}
