/**
 * `CopiedImageSet`: one source image copied to several regions, as a component with one
 * `CopiedImage` child per destination region.
 */
import * as pulumi from "@pulumi/pulumi";
import { CopiedImage, type CopiedImageArgs } from "./copied-image";
import { checkRegion } from "../operations/validate";

/** The component's type token. */
export const COPIED_IMAGE_SET_TYPE = "volcengine:index:CopiedImageSet";

export interface CopiedImageSetArgs {
  /** The custom image to copy, e.g. `image-4431h3l7hl31a0xxxx`. Required. Changing it replaces every copy. */
  sourceImageId: pulumi.Input<string>;
  /**
   * The regions to copy into, e.g. `["cn-shanghai", "cn-guangzhou"]`: at least one, no duplicates,
   * none equal to the source region. Each region gets its own `CopiedImage` child named
   * `${name}-${region}`, so adding or removing a region creates or deletes only that region's copy
   * and leaves the others (names, URNs, state) untouched; reordering the list changes nothing but
   * the `maxCopiesInFlight` lanes.
   *
   * A plain array, not an `Input`: Pulumi needs every child resource to be registered while the
   * program runs, with a name known at that point. With a list known only later (an `Output`) the
   * component could not tell during preview which copies exist, and children created inside an
   * `apply` are invisible to preview and to `pulumi refresh`/`destroy` planning. Read the list from
   * stack config (`config.requireObject<string[]>(...)`) or write it in the program.
   */
  destinationRegions: string[];
  /** The region the source image is in. Default: the configured region (`volcengine:region` or `VOLCENGINE_REGION`). Changing it replaces every copy. */
  sourceRegion?: pulumi.Input<string>;
  /**
   * The name of every copy (an image name is unique within a region only, so the same name in
   * several regions is fine). Default: each child generates its own name from its resource name
   * (`${name}-${region}`) plus a stable suffix. Changing it renames the copies in place. See
   * `CopiedImageArgs.imageName` for the rules.
   */
  imageName?: pulumi.Input<string>;
  /** The description of every copy. Default: the source image's description. Changed in place; `""` clears it. */
  description?: pulumi.Input<string>;
  /** Copy the source image's tags to every copy. Default false. Changing it replaces every copy. */
  copyImageTags?: pulumi.Input<boolean>;
  /** The Volcengine project of every copy. Default: Volcengine's default. Changing it replaces every copy. */
  projectName?: pulumi.Input<string>;
  /** Tags to put on every copy and keep there (see `CopiedImageArgs.tags`). Changed in place. */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * At most this many copies run at once (a positive integer). Default: no cap, every copy starts
   * at once (subject to the engine's `--parallel`).
   *
   * The engine's `--parallel` (`PULUMI_PARALLEL`, the Automation API's `parallel`; default 4 per
   * CPU) caps every resource operation of the stack, and a copy holds one of those slots for its
   * whole copy. So at most `min(maxCopiesInFlight, --parallel)` copies run at once: copies beyond
   * `--parallel` wait for a slot, in waves, whatever the cap. A copy waiting in its lane holds no
   * slot. A cap below `--parallel` leaves slots to the stack's other resources; to run more copies
   * at once than `--parallel`, raise `--parallel` (`pulumi up --parallel N`). A program that declares
   * more copies than the engine's setting gets one info message saying so.
   *
   * Implemented with `dependsOn` lanes: the regions (in the order given) are dealt into `cap`
   * lanes, and region `i` depends on region `i - cap`, so a copy starts only when the one before
   * it in its lane is done. A lane is a chain: when a copy fails, the later regions of its lane
   * are not created in that run (the other lanes go on); the next `pulumi up` picks them up.
   *
   * Changing the cap or the order of the regions only moves `dependsOn` edges. `dependsOn` is not
   * an input: the engine never diffs it, so such a change never updates or replaces a copy; it
   * only changes the order of future operations (creates, and deletes, which run in reverse).
   * Existing copies are not waited for again.
   */
  maxCopiesInFlight?: number;
}

/**
 * For each region (in order), the region whose copy it waits for under a cap of `maxInFlight`
 * copies in flight: region `i` waits for region `i - maxInFlight`, the previous one in its lane.
 * `undefined` means "starts at once". Without a cap every entry is `undefined`.
 */
export function copyLanes(regions: readonly string[], maxInFlight?: number): (string | undefined)[] {
  return regions.map((_, i) => (maxInFlight !== undefined && i >= maxInFlight ? regions[i - maxInFlight] : undefined));
}

/**
 * Checks the arguments that must be known at construction; returns the destination regions.
 * Throws a `pulumi.ResourceError` naming the argument and the rule.
 */
export function validateCopiedImageSetArgs(name: string, args: CopiedImageSetArgs, parent?: pulumi.Resource): string[] {
  const fail = (message: string): never => {
    throw new pulumi.ResourceError(`CopiedImageSet ${JSON.stringify(name)}: ${message}`, parent);
  };
  if (!args || typeof args !== "object") fail("args are required (sourceImageId and destinationRegions).");
  const regions: unknown = args.destinationRegions;
  if (!Array.isArray(regions)) {
    fail(
      `destinationRegions must be a plain array of region ids, known when the program runs (not an Output or a Promise), got ${describe(regions)}.`,
    );
  }
  const list = regions as unknown[];
  if (list.length === 0) fail("destinationRegions must list at least one region.");
  const seen = new Set<string>();
  list.forEach((region, i) => {
    const failure = checkRegion(region, `destinationRegions[${i}]`, true);
    if (failure) fail(failure.reason);
    const r = region as string;
    if (seen.has(r)) fail(`destinationRegions[${i}] ${JSON.stringify(r)} is listed twice; each region may appear once.`);
    seen.add(r);
  });
  const source = args.sourceRegion;
  if (typeof source === "string" && seen.has(source)) {
    fail(
      `destinationRegions[${list.indexOf(source)}] ${JSON.stringify(source)} is the sourceRegion; a copy must go to another region than the source.`,
    );
  }
  const cap = args.maxCopiesInFlight;
  if (cap !== undefined && (typeof cap !== "number" || !Number.isInteger(cap) || cap < 1)) {
    fail(`maxCopiesInFlight must be a positive integer (at least 1), got ${describe(cap)}.`);
  }
  return list as string[];
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (pulumi.Output.isInstance(value)) return "an Output";
  if (value instanceof Promise) return "a Promise";
  if (typeof value === "object") return Array.isArray(value) ? "an array" : "an object";
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/**
 * One Volcengine ECS custom image copied to several regions: a component with one
 * {@link CopiedImage} child per destination region.
 *
 * ```ts
 * import * as pulumi from "@pulumi/pulumi";
 * import { CopiedImageSet } from "volcengine-copied-image";
 *
 * const web = new CopiedImageSet(
 *   "web-image",
 *   {
 *     sourceImageId: "image-ybvz29l3da4ljkdu0tlz",
 *     sourceRegion: "cn-beijing",
 *     destinationRegions: ["cn-shanghai", "cn-guangzhou", "ap-southeast-1"],
 *     imageName: "web-golden",         // the same name in every region
 *     tags: { team: "web" },
 *     maxCopiesInFlight: 2,            // at most two copies running at once
 *   },
 *   { customTimeouts: { create: "90m" } }, // passed to every copy
 * );
 * // { "cn-shanghai": "image-…", "cn-guangzhou": "image-…", "ap-southeast-1": "image-…" }
 * export const imageIds = web.imageIds;
 * export const shanghaiName = web.images["cn-shanghai"].imageName;
 * ```
 *
 * Children are named `${name}-${region}` and parented to the set, so a child's URN depends only on
 * the set's name and the child's region: adding a region creates one copy, removing one deletes
 * one copy, and the other copies are untouched.
 *
 * Resource options: `protect`, `provider`/`providers`, `transformations`/`transforms` and `aliases`
 * reach the children through `parent` as usual. `customTimeouts` (create: the wait for each copy,
 * update: a resumed wait, delete: each deletion; see {@link CopiedImage}), `retainOnDelete`,
 * `ignoreChanges`, `replaceOnChanges` and `deletedWith` are passed on to every child (they name
 * `CopiedImage` properties, which have the same names as this component's args).
 * `dependsOn` is not copied to the children: they are registered only after the set, which waits
 * for its own `dependsOn`, so they start after those resources anyway.
 */
export class CopiedImageSet extends pulumi.ComponentResource {
  /** Region -> id of the copy in that region, for every destination region. */
  readonly imageIds: pulumi.Output<Record<string, string>>;
  /** Region -> the `CopiedImage` child copying into that region (for its other outputs: name, size, status...). */
  readonly images: Record<string, CopiedImage>;
  /** The destination regions, in the order given. */
  readonly destinationRegions: readonly string[];

  /**
   * @param name The component name; child `i` is named `${name}-${destinationRegions[i]}`.
   * @param args What to copy where. `destinationRegions` and `maxCopiesInFlight` are validated here
   *   (and `sourceRegion` when it is a plain string): a violation throws a `pulumi.ResourceError`
   *   naming the argument, before anything is registered.
   * @param opts Component options; see the class comment for those passed on to the copies.
   */
  constructor(name: string, args: CopiedImageSetArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const regions = validateCopiedImageSetArgs(name, args, opts.parent);
    super(COPIED_IMAGE_SET_TYPE, name, {}, opts);
    this.destinationRegions = [...regions];

    const childOpts: pulumi.CustomResourceOptions = { parent: this };
    if (opts.customTimeouts !== undefined) childOpts.customTimeouts = opts.customTimeouts;
    if (opts.retainOnDelete !== undefined) childOpts.retainOnDelete = opts.retainOnDelete;
    if (opts.ignoreChanges !== undefined) childOpts.ignoreChanges = opts.ignoreChanges;
    if (opts.replaceOnChanges !== undefined) childOpts.replaceOnChanges = opts.replaceOnChanges;
    if (opts.deletedWith !== undefined) childOpts.deletedWith = opts.deletedWith;

    const lanes = copyLanes(regions, args.maxCopiesInFlight);
    const images: Record<string, CopiedImage> = {};
    regions.forEach((region, i) => {
      // Every key is passed, even when undefined: `pulumi.dynamic.Resource` makes an output property
      // only for the keys present in its inputs, so an omitted key would leave e.g.
      // `images[r].imageName` undefined instead of an Output of the generated name. The SDK drops
      // undefined values when it serializes the inputs.
      const childArgs: CopiedImageArgs = {
        sourceImageId: args.sourceImageId,
        destinationRegion: region,
        sourceRegion: args.sourceRegion,
        imageName: args.imageName,
        description: args.description,
        copyImageTags: args.copyImageTags,
        projectName: args.projectName,
        tags: args.tags,
      };
      const after = lanes[i];
      images[region] = new CopiedImage(
        `${name}-${region}`,
        childArgs,
        after === undefined ? childOpts : { ...childOpts, dependsOn: [images[after]!] },
      );
    });
    this.images = images;
    this.imageIds = pulumi.all(Object.fromEntries(regions.map((r) => [r, images[r]!.imageId]))) as pulumi.Output<Record<string, string>>;

    this.registerOutputs({ imageIds: this.imageIds, destinationRegions: this.destinationRegions });
  }
}
