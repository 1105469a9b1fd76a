/**
 * volcengine-copied-image: a Pulumi dynamic provider whose `CopiedImage` resource copies a
 * Volcengine ECS custom image to another region and manages the copy for its whole life.
 */
export { CopiedImage, type CopiedImageArgs } from "./copied-image";
export { CopiedImageSet, type CopiedImageSetArgs } from "./copied-image-set";
export { VolcengineError, type VolcengineErrorFields } from "./errors";
export { OWNER_TAG_KEY } from "./naming";
export type { CopiedImageOutputs } from "./model";
