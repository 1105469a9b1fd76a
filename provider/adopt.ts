/**
 * Adopting an existing image (the `adoptImageId` input) instead of copying: Pulumi's `import`
 * option cannot reach dynamic providers (the engine reads with neither inputs nor state,
 * pulumi/pulumi#3550). The image must be a custom image in the destination region; an unfinished
 * copy is waited for. It gets the ownership tag and the managed tags; its name and description are
 * kept unless the program gives them.
 */
import { wantedTags } from "./naming";
import { imageFields, shapeOutputs, targetOf, type CopiedImageInputs, type CopiedImageState } from "./model";
import { reconcile, reported, tagsOf } from "./reconcile";
import { finishCopy } from "./finish-copy";
import { labelOf } from "./report";
import type { OperationContext, OperationEnv } from "./context";

export async function adopt(inputs: CopiedImageInputs, id: string, env: OperationEnv, ctx: OperationContext): Promise<{ id: string; outs: CopiedImageState }> {
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
  // An unfinished copy gets its tags when it is done (finishCopy reconciles them).
  await reconcile(
    destination,
    id,
    { imageName: inputs.imageName, description: inputs.description, tags: copying ? [] : wantedTags(named) },
    { imageName: image.ImageName, description: image.Description, tags: tagsOf(image), managedKeys: [] },
  );
  const outs = shapeOutputs(named, id, {
    ...imageFields(image),
    imageName: named.imageName,
    description: reported("write", inputs.description, image.Description, undefined),
    progress: image.Status === "available" ? 100 : 0,
  });
  if (copying) return { id, outs: await finishCopy({ imageId: id, inputs: named, outs, op: "create" }, env, ctx) };
  return { id, outs };
}
