/**
 * `update`: resume the wait of a copy recorded as unfinished, then reconcile name, description and
 * managed tags in place, and re-read the image when anything changed or the state lacks its fields.
 * `olds` are the recorded OUTPUTS.
 */
import { managedTags } from "./naming";
import { imageFields, recordedFields, shapeOutputs, withoutUndefined, type CopiedImageInputs, type CopiedImageState } from "./model";
import { reconcile, reported } from "./reconcile";
import { finishCopy } from "./finish-copy";
import type { OperationContext, OperationEnv } from "./context";

export async function update(id: string, olds: CopiedImageState, inputs: CopiedImageInputs, env: OperationEnv, ctx: OperationContext): Promise<{ outs: CopiedImageState }> {
  const destination = env.session.destination(inputs.destinationRegion, ctx.signal, ctx.deadline);
  let outs: CopiedImageState = { ...shapeOutputs(inputs, id, {}), ...recordedFields(olds) };

  if (olds.status === "creating") {
    ctx.reporter.info(`resuming the wait for ${id} in ${inputs.destinationRegion} (${Number(olds.progress ?? 0)}% done when last seen)`);
    outs = await finishCopy({ imageId: id, inputs, outs: { ...outs, status: "creating", progress: olds.progress ?? 0, taskId: olds.taskId }, op: "update" }, env, ctx);
  }

  const wanted = managedTags(inputs.tags);
  const recorded = managedTags(olds.tags);
  const changed = await reconcile(
    destination,
    id,
    { imageName: inputs.imageName, description: inputs.description, tags: Object.entries(wanted).map(([Key, Value]) => ({ Key, Value })) },
    { imageName: olds.imageName, description: olds.description, tags: recorded, managedKeys: Object.keys(recorded) },
  );

  // Also re-read when an earlier run could not read the finished copy (partial state without its fields).
  const incomplete = olds.createdAt === undefined || olds.status !== "available";
  if (changed || olds.status === "creating" || incomplete) {
    const image = await destination.describeImage(id);
    if (image) outs = shapeOutputs(inputs, id, { ...imageFields(image), taskId: outs.taskId ?? olds.taskId, progress: 100 });
  }
  outs.imageName = reported("write", inputs.imageName, outs.imageName, undefined)!;
  outs.description = reported("write", inputs.description, outs.description, olds.description);
  return { outs: withoutUndefined(outs) };
}
