/**
 * `CopiedImage`: a copy of a Volcengine ECS custom image in another region, managed for its
 * whole life (copy, wait, rename, delete).
 *
 * ```ts
 * import { CopiedImage } from "volcengine-copied-image";
 * const copy = new CopiedImage("web-image-shanghai", {
 *   sourceImageId: "image-ybvz29l3da4ljkdu0tlz",
 *   sourceRegion: "cn-beijing",
 *   destinationRegion: "cn-shanghai",
 * });
 * export const imageId = copy.imageId;
 * ```
 */
import * as pulumi from "@pulumi/pulumi";
import { copiedImageProviderShim } from "./shim";
import { resourceUrnInput } from "./resource-urn";
import { OUTPUT_ONLY_KEYS, type CopiedImageOutputs } from "../operations/model";
import { checkPluginCanStart, noteCopyDeclared } from "./program-checks";

export interface CopiedImageArgs {
  /** The custom image to copy, e.g. `image-4431h3l7hl31a0xxxx`. Required. Changing it replaces the copy. */
  sourceImageId: pulumi.Input<string>;
  /** The region to copy into (e.g. `cn-shanghai`); must differ from the source region. Required. Changing it replaces the copy. */
  destinationRegion: pulumi.Input<string>;
  /** The region the source image is in. Default: the configured region (`volcengine:region` or `VOLCENGINE_REGION`). Changing it replaces the copy. */
  sourceRegion?: pulumi.Input<string>;
  /**
   * The copy's name: 1-128 characters, starting with a letter or Chinese character; letters, digits,
   * Chinese characters, `_`, `-` and `.`. Default: the resource name plus a suffix derived from the
   * stack and the inputs that replace the copy (stable across updates, new for a replacement).
   * Changing it renames the copy in place.
   */
  imageName?: pulumi.Input<string>;
  /**
   * The copy's description: up to 255 characters, starting with a letter or Chinese character;
   * letters, digits, Chinese characters, spaces and `_ - = , . ， 。`. Default: the source image's
   * description (Volcengine copies it). Changing it updates the copy in place; `""` clears it.
   */
  description?: pulumi.Input<string>;
  /** Copy the source image's tags to the copy. Default false. Changing it replaces the copy. */
  copyImageTags?: pulumi.Input<boolean>;
  /** The Volcengine project of the copy (required by Volcengine when the caller has rights on some projects only). Default: Volcengine's default. Changing it replaces the copy. */
  projectName?: pulumi.Input<string>;
  /**
   * Tags to put on the copy and keep there (at most 49 here: the provider uses one tag itself).
   * Keys: 1-128 characters, not starting with `volc:` or `sys:`. Changed in place. Only these keys
   * are watched for drift, so tags copied with `copyImageTags` never cause a diff; where a key is
   * both copied and given here, the value given here wins.
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Adopt this existing custom image in the destination region instead of copying, e.g. a copy made
   * in the console or one named in a provider error. Read at create only. This stands in for Pulumi's
   * `import` resource option, which the engine cannot offer dynamic providers (pulumi/pulumi#3550).
   * The image keeps its name and description unless `imageName` / `description` are given.
   */
  adoptImageId?: pulumi.Input<string>;
  /**
   * Keep the copy's snapshots when the copy is deleted (`pulumi destroy`, a replacement). Default
   * false: the snapshots are deleted with the image (DeleteImages `DeleteBindedSnapshots=true`, sent
   * explicitly). Kept snapshots are bound to no image and stay billed as snapshot storage until you
   * delete them by hand; the delete names them. Changing it updates in place and makes no request.
   */
  keepSnapshotsOnDelete?: pulumi.Input<boolean>;
}

/** The outputs of a `CopiedImage`, each an `Output`: one per entry of the output table (`model.ts`). */
export type CopiedImageOutputProperties = { readonly [K in keyof CopiedImageOutputs]-?: pulumi.Output<CopiedImageOutputs[K]> };

// Declaration merging: the class gets every output of the table as a typed, declared property (no
// class field is emitted, so the values Pulumi sets are not overwritten). The interface is empty and
// merged with the class on purpose, hence the two rules switched off for it and for the class.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface CopiedImage extends CopiedImageOutputProperties {}

/** The type token Pulumi gives a CopiedImage (`pulumi.dynamic.Resource` prefixes `pulumi-nodejs:dynamic/`). */
export const COPIED_IMAGE_TYPE = "pulumi-nodejs:dynamic/volcengine:CopiedImage";

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class CopiedImage extends pulumi.dynamic.Resource {
  /**
   * @param name The resource name; also the start of the generated image name.
   * @param args What to copy where.
   * @param opts Standard options. `customTimeouts.create` (default 60m) bounds the wait for the copy,
   *   `customTimeouts.update` (default: the create timeout) the resumed wait of an unfinished copy,
   *   `customTimeouts.delete` (default 30m) the deletion.
   */
  constructor(name: string, args: CopiedImageArgs, opts?: pulumi.CustomResourceOptions) {
    checkPluginCanStart();
    noteCopyDeclared();
    const timeouts = opts?.customTimeouts;
    super(
      copiedImageProviderShim,
      name,
      {
        // Every input key is passed, set or not, so that every output exists as an Output.
        sourceImageId: args.sourceImageId,
        destinationRegion: args.destinationRegion,
        sourceRegion: args.sourceRegion,
        imageName: args.imageName,
        description: args.description,
        copyImageTags: args.copyImageTags,
        projectName: args.projectName,
        tags: args.tags,
        adoptImageId: args.adoptImageId,
        keepSnapshotsOnDelete: args.keepSnapshotsOnDelete,
        // Internal: the engine gives dynamic providers neither the resource name nor customTimeouts.
        __meta: {
          resourceName: name,
          identity: `${pulumi.getProject()}/${pulumi.getStack()}/${name}`,
          // Progress shows on this resource's row (the engine keeps the input name `urn` for itself).
          resourceUrn: resourceUrnInput(name, COPIED_IMAGE_TYPE, opts?.parent),
          timeouts: timeouts ? { create: timeouts.create, update: timeouts.update, delete: timeouts.delete } : undefined,
        },
        // Every output that is not an input, as undefined: the engine fills them.
        ...Object.fromEntries(OUTPUT_ONLY_KEYS.map((k) => [k, undefined])),
      },
      opts,
      "volcengine",
      "CopiedImage",
    );
  }
}
