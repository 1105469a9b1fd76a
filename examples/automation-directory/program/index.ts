// The Pulumi program the driver (../index.ts) runs: one copy, configured by the driver.
import * as pulumi from "@pulumi/pulumi";
import { CopiedImage } from "volcengine-copied-image";

const config = new pulumi.Config();
const copy = new CopiedImage("copy", { sourceImageId: config.require("sourceImageId"), destinationRegion: config.require("destinationRegion") });

export const imageId = copy.imageId;
export const imageName = copy.imageName;
