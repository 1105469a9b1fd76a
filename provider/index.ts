/**
 * volcengine-copied-image: a Pulumi dynamic provider whose `CopiedImage` resource copies a
 * Volcengine ECS custom image to another region and manages the copy for its whole life.
 *
 * What a program needs, and nothing internal:
 * - `CopiedImage` and its inputs `CopiedImageArgs`; `CopiedImageOutputs` are the values of its outputs.
 * - `CopiedImageSet` and `CopiedImageSetArgs`: one image to many regions, one `CopiedImage` per region.
 * - `VolcengineError`: the error of a failed API call (code, HTTP status, request id, advice).
 * - `OWNER_TAG_KEY`: the tag by which the provider recognises its own copies.
 */
/** The resource (copy, wait, rename, delete) and its inputs. */
export { CopiedImage, type CopiedImageArgs } from "./dynamic/copied-image";
/** A component with one `CopiedImage` per destination region, and its inputs. */
export { CopiedImageSet, type CopiedImageSetArgs } from "./dynamic/copied-image-set";
/** The error of a Volcengine API call, and its fields. */
export { VolcengineError, type VolcengineErrorFields } from "./ecs/volcengine-error";
/** The key of the ownership tag every copy carries. */
export { OWNER_TAG_KEY } from "./operations/naming";
/** The values of a `CopiedImage`'s outputs, one per entry of the output table. */
export type { CopiedImageOutputs } from "./operations/model";
