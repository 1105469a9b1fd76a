/**
 * Adopting an existing image (the `adoptImageId` input) instead of copying: Pulumi's `import`
 * option cannot reach dynamic providers (the engine reads with neither inputs nor state,
 * pulumi/pulumi#3550). The image must be a custom image in the destination region; an unfinished
 * copy is waited for. It gets the ownership tag and the managed tags; its name and description are
 * kept unless the program gives them.
 */
import { OWNER_TAG_KEY, managedTags, wantedTags } from "../naming";
import { imageFields, partialStateError, shapeOutputs, targetOf, type CopiedImageInputs, type CopiedImageState } from "../model";
import { ReconcileError, describeReconcileFailure, ownerTagWarning, pickTags, reconcile, reported, tagsOf } from "../reconcile";
import { finishCopy, missingList } from "./finish-copy";
import { labelOf } from "../../reporting/reporter";
import type { OperationContext, OperationEnv } from "../context";

export async function adopt(
  inputs: CopiedImageInputs,
  id: string,
  env: OperationEnv,
  ctx: OperationContext,
): Promise<{ id: string; outs: CopiedImageState }> {
  const destination = env.session.destination(inputs.destinationRegion, ctx.signal, ctx.deadline);
  const label = labelOf(targetOf(inputs));
  const image = await destination.describeImage(id);
  if (!image) throw new Error(`${label}: cannot adopt ${id}: there is no such image in ${inputs.destinationRegion}.`);
  if (image.Visibility !== undefined && image.Visibility !== "private") {
    throw new Error(`${label}: cannot adopt ${id}: it is a ${image.Visibility} image; only custom images of this account can be managed.`);
  }
  ctx.reporter.info(`adopting ${id} in ${inputs.destinationRegion} (${image.ImageName}, ${image.Status})`);
  const named: CopiedImageInputs = { ...inputs, imageName: reported("write", inputs.imageName, image.ImageName, undefined) ?? "" };
  const copying = image.Status === "creating";
  const fields = {
    ...imageFields(image),
    imageName: named.imageName,
    description: reported("write", inputs.description, image.Description, undefined),
    progress: image.Status === "available" ? 100 : 0,
  };
  // An unfinished copy gets its tags when it is done (finishCopy reconciles them).
  try {
    await reconcile(
      destination,
      id,
      { imageName: inputs.imageName, description: inputs.description, tags: copying ? [] : wantedTags(named) },
      { imageName: image.ImageName, description: image.Description, tags: tagsOf(image), managedKeys: [] },
    );
  } catch (e) {
    if (!(e instanceof ReconcileError)) throw e;
    if (e.action === "TagResources" && e.missingTags.every((t) => t.Key === OWNER_TAG_KEY)) {
      ctx.reporter.warn(ownerTagWarning(id, e));
    } else {
      // Adopted all the same: recorded as it now is, so that the next `pulumi up` finishes the job.
      throw partialStateError(
        `${label}: adopted ${id}, but ${describeReconcileFailure(e)} It is recorded in the state as it now is (tags not set: ${missingList(e)}); the next \`pulumi up\` finishes the job.`,
        id,
        {
          ...shapeOutputs(named, id, fields),
          imageName: e.applied.imageName ?? named.imageName,
          description: e.applied.description,
          tags: pickTags(e.applied.tags, Object.keys(managedTags(inputs.tags))),
          __provider: inputs.__provider,
        },
      );
    }
  }
  const outs = shapeOutputs(named, id, fields);
  if (copying) return { id, outs: await finishCopy({ imageId: id, inputs: named, outs, op: "create" }, env, ctx) };
  return { id, outs };
}
