// One copy of a custom image in another region, with the Node.js SDK of the provider plugin.
//
//   pulumi config set sourceImageId image-xxxxxxxxxxxxxxxxxxxx
//   pulumi up
import * as pulumi from "@pulumi/pulumi";
import * as copiedImage from "pulumi-volcengine-copied-image";

const config = new pulumi.Config();

const copy = new copiedImage.CopiedImage("golden-image", {
  sourceImageId: config.require("sourceImageId"),
  sourceRegion: "cn-beijing",
  destinationRegion: "cn-shanghai",
  imageName: "golden-image-shanghai",
  tags: { "managed-by": "pulumi" },
});

export const imageId = copy.imageId;
