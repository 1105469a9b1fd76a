/**
 * `read` (refresh): what the image says now. A copy that no longer exists is dropped from the
 * state; name, description and managed tags changed outside Pulumi show up as drift. `state` is
 * the recorded OUTPUTS (the engine reads an import with neither inputs nor state, so there is no
 * import here: `adoptImageId` stands in for it).
 */
import { managedTags } from "./naming";
import { imageFields, shapeOutputs, type CopiedImageState } from "./model";
import { reported, reportedTags } from "./reconcile";
import type { OperationContext, OperationEnv } from "./context";

export async function read(
  id: string,
  state: CopiedImageState,
  env: OperationEnv,
  ctx: OperationContext,
): Promise<{ id?: string; props?: CopiedImageState }> {
  if (typeof state.destinationRegion !== "string") {
    throw new Error(`cannot read ${id}: its destinationRegion is not known; give destinationRegion in the resource's inputs.`);
  }
  const image = await env.session.destination(state.destinationRegion, ctx.signal).describeImage(id);
  if (!image) return {}; // gone: `pulumi refresh` drops it from the state
  const fields = imageFields(image);
  const props = shapeOutputs(state, id, {
    ...fields,
    imageName: reported("read", undefined, image.ImageName, state.imageName),
    description: reported("read", undefined, image.Description, undefined),
    tags: reportedTags(state.tags, image, Object.keys(managedTags(state.tags))),
    taskId: state.taskId,
    progress: fields.status === "available" ? 100 : typeof state.progress === "number" ? state.progress : 0,
  });
  return { id, props };
}
