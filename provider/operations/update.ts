/**
 * `update`: resume the wait of a copy recorded as unfinished, then reconcile name, description and
 * managed tags in place, and re-read the image when anything changed or the state lacks its fields.
 * A change that fails half-way is a partial-state error carrying the image as it now is (what went
 * through is recorded, what did not is left for the next `pulumi up`). `keepSnapshotsOnDelete` is
 * only echoed (delete reads it). `olds` are the recorded OUTPUTS.
 */
import { carriesOwnerTag, managedTags, ownerTag } from "./naming";
import {
  imageFields,
  partialStateError,
  recordedFields,
  shapeOutputs,
  targetOf,
  withoutUndefined,
  type CopiedImageInputs,
  type CopiedImageState,
} from "./model";
import { ReconcileError, describeReconcileFailure, pickTags, reconcile, reported } from "./reconcile";
import { labelOf } from "../reporting/reporter";
import { finishCopy } from "./create/finish-copy";
import type { OperationContext, OperationEnv } from "./context";

export async function update(
  id: string,
  olds: CopiedImageState,
  inputs: CopiedImageInputs,
  env: OperationEnv,
  ctx: OperationContext,
): Promise<{ outs: CopiedImageState }> {
  const destination = env.session.destination(inputs.destinationRegion, ctx.signal, ctx.deadline);
  let outs: CopiedImageState = { ...shapeOutputs(inputs, id, {}), ...recordedFields(olds) };

  if (olds.status === "creating") {
    ctx.reporter.info(`resuming the wait for ${id} in ${inputs.destinationRegion} (${Number(olds.progress ?? 0)}% done when last seen)`);
    outs = await finishCopy(
      { imageId: id, inputs, outs: { ...outs, status: "creating", progress: olds.progress ?? 0, taskId: olds.taskId }, op: "update" },
      env,
      ctx,
    );
  }

  const wanted = managedTags(inputs.tags);
  const recorded = managedTags(olds.tags);
  let changed: boolean;
  let tagged: boolean;
  try {
    ({ changed, tagged } = await reconcile(
      destination,
      id,
      { imageName: inputs.imageName, description: inputs.description, tags: Object.entries(wanted).map(([Key, Value]) => ({ Key, Value })) },
      { imageName: olds.imageName, description: olds.description, tags: recorded, managedKeys: Object.keys(recorded) },
    ));
  } catch (e) {
    if (!(e instanceof ReconcileError)) throw e;
    // Some changes went through: record the image as it now is (name, description, the managed tags
    // really on it, including removed keys still there), so that state and cloud agree and the next
    // `pulumi up` finishes the job.
    const keys = new Set([...Object.keys(wanted), ...Object.keys(recorded)]);
    throw partialStateError(
      `${labelOf(targetOf(inputs))}: updating ${id} in ${inputs.destinationRegion} stopped: ${describeReconcileFailure(e)} ` +
        "The state records the image as it now is" +
        (e.missingTags.length > 0 ? ` (tags not set: ${e.missingTags.map((t) => t.Key).join(", ")})` : "") +
        "; the next `pulumi up` finishes the update.",
      id,
      withoutUndefined({
        ...outs,
        imageName: e.applied.imageName ?? outs.imageName,
        description: e.applied.description,
        tags: pickTags(e.applied.tags, keys),
        __provider: inputs.__provider,
      }),
    );
  }

  // Also re-read when an earlier run could not read the finished copy (partial state without its fields).
  const incomplete = olds.createdAt === undefined || olds.status !== "available" || olds.snapshotIds === undefined;
  if (changed || olds.status === "creating" || incomplete) {
    const image = await destination.describeImage(id);
    if (image) outs = shapeOutputs(inputs, id, { ...imageFields(image), taskId: outs.taskId ?? olds.taskId, progress: 100 });
    // A copy made while TagResources was refused lacks its ownership tag: put it on once tagging
    // works again (best effort, as at create).
    if (image && tagged && !carriesOwnerTag(image, inputs.__meta)) {
      await destination
        .tagResources([id], [ownerTag(inputs.__meta)])
        .catch((e: unknown) => ctx.reporter.warn(`could not put the ownership tag on ${id}: ${(e as Error).message}`));
    }
  }
  outs.imageName = reported("write", inputs.imageName, outs.imageName, undefined)!;
  outs.description = reported("write", inputs.description, outs.description, olds.description);
  return { outs: withoutUndefined(outs) };
}
