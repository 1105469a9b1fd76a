/**
 * The finder of this resource's own copy in the destination region: how a copy started by a run
 * that died before Pulumi saved it is found and adopted instead of copied twice.
 */
import type { DestinationRegionClient } from "../../ecs/client";
import { carriesOwnerTag } from "../naming";
import type { CopiedImageInputs } from "../model";
import type { Reporter } from "../../reporting/reporter";
import { deleteQuietly } from "../delete";

/**
 * Our own copy with this resource's name in the destination, if one exists. Earlier copies of ours
 * that failed are deleted on the way. Throws when the name is taken by an image that is not ours.
 */
export async function findOwnCopy(destination: DestinationRegionClient, inputs: CopiedImageInputs, reporter: Reporter): Promise<string | undefined> {
  const found = await destination.findImagesByName(inputs.imageName);
  if (found.length === 0) return undefined;
  const ours = found.filter((i) => carriesOwnerTag(i, inputs.__meta));
  // An auto-generated name is unique by construction (it hashes this resource's identity and
  // inputs), so a copy with that name is ours even where the API dropped the tag.
  const candidates = ours.length > 0 ? ours : inputs.__meta.autoNamed ? found : [];
  const usable = candidates.filter((i) => i.Status !== "error");
  for (const failed of candidates.filter((i) => i.Status === "error")) {
    reporter.info(`deleting ${failed.ImageId}, an earlier copy of this resource that failed`);
    await deleteQuietly(destination, failed.ImageId);
  }
  if (usable.length > 0) return usable[0].ImageId;
  if (candidates.length > 0) return undefined;
  const ids = found.map((i) => i.ImageId).join(", ");
  throw new Error(
    `imageName "${inputs.imageName}" is already used in ${inputs.destinationRegion} by ${ids}, which this resource did not create. ` +
      `Choose another imageName, or adopt that image by setting the input \`adoptImageId: "${found[0].ImageId}"\`.`,
  );
}
