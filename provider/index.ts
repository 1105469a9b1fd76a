/**
 * volcengine-copied-image: a Pulumi dynamic provider whose `CopiedImage` resource copies a
 * Volcengine ECS custom image to another region and manages the copy for its whole life.
 */
export { CopiedImage, type CopiedImageArgs } from "./copied-image";
export { CopiedImageSet, copyLanes, type CopiedImageSetArgs } from "./copied-image-set";
import copiedImageProvider = require("./runtime");
/** The `pulumi.dynamic.ResourceProvider` doing the work (CopiedImage serializes a shim that loads it). */
export { copiedImageProvider };
export { VolcengineError, type VolcengineErrorFields } from "./errors";
export { OWNER_TAG_KEY, type CopiedImageInputs, type CopiedImageOutputs, type Meta } from "./lifecycle";
