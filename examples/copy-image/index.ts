// One copy of a custom image in another region.
//
//   pulumi config set volcengine:region cn-beijing            # the source region
//   pulumi config set sourceImageId image-xxxxxxxxxxxxxxxxxxxx
//   pulumi config set destinationRegion cn-shanghai
//   pulumi up
import * as pulumi from "@pulumi/pulumi";
import { CopiedImage } from "volcengine-copied-image";

const config = new pulumi.Config();

const copy = new CopiedImage(
  "golden-image",
  {
    sourceImageId: config.require("sourceImageId"),
    destinationRegion: config.require("destinationRegion"),
    description: config.get("description"),
    tags: { "managed-by": "pulumi" },
  },
  // Copies of large images take long: wait up to two hours before recording the copy as unfinished.
  { customTimeouts: { create: "2h" } },
);

export const imageId = copy.imageId;
export const imageName = copy.imageName;
export const status = copy.status;
