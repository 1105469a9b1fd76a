/**
 * Waiting for a started copy and reading its final outputs, without ever letting the copy go
 * unrecorded: what each way the wait can end means (an error, a partial state saved by Pulumi, a
 * deletion of the failed copy) is decided in one `switch`.
 */
import { describeWait } from "./wait-outcome";
import { wantedTags } from "./naming";
import { imageFields, partialStateError, shapeOutputs, targetOf, type CopiedImageInputs, type CopiedImageState } from "./model";
import { reconcile, reported, tagsOf } from "./reconcile";
import { deleteQuietly } from "./delete";
import { labelOf } from "./report";
import { copyProgressReporter } from "./copy-status";
import type { OperationContext, OperationEnv } from "./context";

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
  const partial = (message: string, extra: Partial<CopiedImageState>) => partialStateError(message, imageId, { ...outs, ...extra, __provider: inputs.__provider });

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
        `${label}: waiting for ${imageId} in ${region} failed: ${outcome.error.message} ` + "The copy is recorded in the state; the next `pulumi up` waits for it again.",
        { status: "creating" },
      );
  }

  const taskId = outcome.taskId ?? outs.taskId;
  try {
    const image = outcome.image ?? (await destination.describeImage(imageId));
    if (!image) throw new Error(`The copy into ${imageId} in ${region} was not found right after its copy task succeeded.`);
    // Tags.N on CopyImage is in the SDKs but on no doc page we read: where the copy lacks a tag we
    // sent (or copyImageTags brought the source's value for one of our keys), set it now.
    await reconcile(destination, imageId, { tags: wantedTags(inputs) }, { tags: tagsOf(image), managedKeys: [] });
    return shapeOutputs(inputs, imageId, {
      ...imageFields(image),
      imageName: reported("read", undefined, image.ImageName, inputs.imageName),
      description: reported("read", undefined, image.Description, undefined),
      taskId,
      progress: 100,
    });
  } catch (e) {
    throw partial(`${label}: the copy ${imageId} finished but reading it failed: ${(e as Error).message} Run \`pulumi refresh\` or \`pulumi up\` again.`, {
      taskId,
      status: "available",
      progress: 100,
    });
  }
}
