// One source image copied to every region listed in the stack config; each region is its own
// CopiedImage (own state, own id, own replacement), so adding or removing a region touches only it.
//
//   pulumi config set volcengine:region cn-beijing
//   pulumi config set sourceImageId image-xxxxxxxxxxxxxxxxxxxx
//   pulumi config set --path 'destinationRegions[0]' cn-shanghai
//   pulumi config set --path 'destinationRegions[1]' cn-guangzhou
//   pulumi up
import * as pulumi from "@pulumi/pulumi";
import { CopiedImage } from "volcengine-copied-image";

const config = new pulumi.Config();
const sourceImageId = config.require("sourceImageId");
const destinationRegions = config.requireObject<string[]>("destinationRegions");
const description = config.get("description");

const copies = destinationRegions.map(
  (region) => [region, new CopiedImage(`image-${region}`, { sourceImageId, destinationRegion: region, description })] as const,
);

/** Region -> id of the copy there. */
export const imageIds = Object.fromEntries(copies.map(([region, copy]) => [region, copy.imageId]));
/** Region -> name of the copy there. */
export const imageNames = Object.fromEntries(copies.map(([region, copy]) => [region, copy.imageName]));
