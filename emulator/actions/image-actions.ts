// The seven ECS actions the emulator implements. Each handler returns the `Result` object or throws an ApiError.
import { ApiError, business, errorAnswer } from "../http/api-error";
import { type ActionContext, regionImages, visibleImage } from "./action-context";
import { randomId } from "../state/store";
import { boolParam, limitList, listParam, maxResults, pageOf, tagsParam } from "./params";
import { MAX_TAGS_PER_CALL, MAX_TAGS_PER_RESOURCE, validDescription, validImageName, validTagKey, validTagValue } from "./param-rules";
import { modifyImageAttribute, tagQuota, tagResources, untagResources } from "./change-actions";

export const VERSION = "2020-04-01";
export const SERVICE = "ecs";
export const ACTIONS = [
  "CopyImage",
  "DescribeTasks",
  "DescribeImages",
  "DeleteImages",
  "ModifyImageAttribute",
  "TagResources",
  "UntagResources",
] as const;
export type ActionName = (typeof ACTIONS)[number];
export type { ActionContext } from "./action-context";

type Result = Record<string, unknown>;

// ---------- actions ----------

function copyImage(ctx: ActionContext): Result {
  const p = ctx.params;
  const imageId = p.get("ImageId") ?? "";
  const dest = p.get("DestinationRegion") ?? "";
  const name = p.get("ImageName");
  if (imageId === "") throw business.missing("ImageId");
  if (dest === "") throw business.missing("DestinationRegion");
  if (name === undefined || name === "") throw business.missing("ImageName");
  if (!validImageName(name)) throw business.malformed("ImageName");
  const description = p.get("Description");
  if (description !== undefined && !validDescription(description)) throw business.malformed("Description");
  const copyTags = boolParam(p, "CopyImageTags") ?? false;
  // The CopyImage doc pages list no Tags.N (only the SDKs send it): in the "ignored" world the gateway
  // drops it unread, so it is neither validated nor applied.
  const extraTags = ctx.world.tagsOnCopyImage === "ignored" ? [] : tagsParam(p);
  for (const t of extraTags) {
    if (!validTagKey(t.key)) throw new ApiError(400, "InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid."); // [INFERRED] code
    if (!validTagValue(t.value)) throw new ApiError(400, "InvalidTagValue.Malformed", "The specified Tag.n.Value is not valid."); // [INFERRED] code
  }
  if (extraTags.length > MAX_TAGS_PER_CALL) throw business.invalidArgument(`Tags.N accepts at most ${MAX_TAGS_PER_CALL} items.`);
  if (!ctx.model.regions.has(dest)) {
    throw new ApiError(400, "InvalidDestinationRegion.Malformed", "The specified DestinationRegion is malformed.");
  }
  if (dest === ctx.region) {
    throw new ApiError(412, "InvalidDestinationRegion.Mismatch", "The destination region cannot be equal to the target region.");
  }
  if (ctx.model.copyUnsupported.has(dest) || ctx.model.copyUnsupported.has(ctx.region)) {
    throw new ApiError(400, "InvalidRegionForCopyImage.UnSupported", "The specified region cannot be used for CopyImage.");
  }
  const projectName = p.get("ProjectName");
  if (projectName !== undefined && projectName !== "" && !ctx.model.projects.has(projectName)) throw business.projectNotFound();
  const src = visibleImage(ctx, ctx.region, imageId);
  if (!src) throw business.imageNotFound();
  if (ctx.model.visibilityFor(src, ctx.account.accountId) !== "private") {
    throw new ApiError(400, "InvalidImageForCopyImage.UnSupported", "The specified image cannot be used for CopyImage.");
  }
  // [INFERRED] A source that is not available (creating / error) is refused with InvalidImageStatus 400.
  if (src.status !== "available") throw business.imageStatus();
  // Documented: at most 50 custom images per region. [INFERRED] counted per account, every status included.
  const own = [...regionImages(ctx, dest).values()].filter((i) => i.kind === "private" && i.ownerAccountId === ctx.account.accountId);
  if (own.length >= ctx.maxImagesPerRegion) {
    throw new ApiError(400, "LimitExceeded.MaximumImageCount", "You've reached the limit on the number of image that you can create.");
  }

  const tags = copyTags ? src.tags.map((t) => ({ ...t })) : [];
  for (const t of extraTags) {
    const existing = tags.find((x) => x.key === t.key);
    if (existing) existing.value = t.value;
    else tags.push({ key: t.key, value: t.value });
  }
  if (tags.length > MAX_TAGS_PER_RESOURCE) throw tagQuota();

  const faults = ctx.faults.onCopy(ctx.region, dest);
  const now = ctx.model.now();
  const newId = randomId("image-");
  const taskId = randomId("t-");
  const jitter =
    ctx.world.progressJitter > 0 ? { jitter: { amount: ctx.world.progressJitter, seed: ctx.world.progressSeed + ctx.model.tasks.size } } : {};
  ctx.model.tasks.set(taskId, {
    id: taskId,
    region: dest,
    accountId: ctx.account.accountId,
    resourceId: newId,
    sourceRegion: ctx.region,
    sourceImageId: src.imageId,
    createdAt: now,
    durationMs: faults.durationMs ?? ctx.copyDurationMs,
    ...(faults.failAtPercent !== undefined ? { failAtPercent: faults.failAtPercent } : {}),
    invisibleUntilReal: faults.invisibleMs !== undefined ? Date.now() + faults.invisibleMs : 0,
    progress: { profile: ctx.world.progressProfile, ...jitter },
  });
  regionImages(ctx, dest).set(newId, {
    ...src,
    region: dest,
    imageId: newId,
    imageName: name,
    description: description ?? src.description, // documented: defaults to the source's description
    status: "creating",
    kind: "private",
    shared: false,
    ownerAccountId: ctx.account.accountId,
    // [INFERRED] ProjectName defaults to "default", not to the source's project.
    projectName: projectName !== undefined && projectName !== "" ? projectName : "default",
    createdAt: now,
    updatedAt: now,
    tags,
    copyTaskId: taskId,
  });
  // A copy is new snapshots in the destination region, one per source snapshot, owned by the new image.
  const sourceSnapshots = ctx.model.snapshots.ofImage(src.region, src.imageId);
  ctx.model.snapshots.create(
    dest,
    newId,
    sourceSnapshots.map((x) => ({ size: x.size, volumeKind: x.volumeKind })),
    now,
  );
  return { ImageId: newId };
}

function describeTasks(ctx: ActionContext): Result {
  const p = ctx.params;
  const taskIds = listParam(p, "TaskIds");
  const resourceIds = listParam(p, "ResourceIds");
  limitList(taskIds, "TaskIds", 100);
  limitList(resourceIds, "ResourceIds", 100);
  const single = p.get("ResourceId");
  if (single !== undefined && single !== "") resourceIds.push(single);
  const size = maxResults(p, 20);
  const realNow = Date.now();
  // [INFERRED] Unknown ids simply match nothing: empty list, no error. Tasks are listed oldest first.
  const all = [...ctx.model.tasks.values()].filter(
    (t) =>
      t.region === ctx.region &&
      t.accountId === ctx.account.accountId &&
      t.invisibleUntilReal <= realNow &&
      (taskIds.length === 0 || taskIds.includes(t.id)) &&
      (resourceIds.length === 0 || resourceIds.includes(t.resourceId)),
  );
  const { page, nextToken } = pageOf(all, p, size);
  return {
    NextToken: nextToken,
    Tasks: page.map((t) => {
      const v = ctx.model.taskViewFull(t);
      return {
        Id: v.Id,
        ResourceId: v.ResourceId,
        Type: v.Type,
        Status: v.Status,
        Process: v.Process,
        CreatedAt: v.CreatedAt,
        UpdatedAt: v.UpdatedAt,
        EndAt: v.EndAt,
      };
    }),
  };
}

function describeImages(ctx: ActionContext): Result {
  const p = ctx.params;
  const ids = listParam(p, "ImageIds");
  limitList(ids, "ImageIds", 100);
  const statuses = listParam(p, "Status");
  limitList(statuses, "Status", 10);
  const single = p.get("ImageStatus");
  if (single !== undefined && single !== "") statuses.push(single);
  const name = p.get("ImageName");
  const visibility = p.get("Visibility");
  if (visibility !== undefined && visibility !== "" && !["public", "private", "shared"].includes(visibility)) {
    throw business.invalidArgument("Visibility must be public, private or shared.");
  }
  const osType = p.get("OsType");
  const platform = p.get("Platform");
  const projectName = p.get("ProjectName");
  const isLTS = boolParam(p, "IsLTS");
  const cloudInit = boolParam(p, "IsSupportCloudInit");
  const tagFilters: { key: string; values: string[] }[] = [];
  for (let n = 1; p.has(`TagFilters.${n}.Key`); n++) {
    tagFilters.push({ key: p.get(`TagFilters.${n}.Key`)!, values: listParam(p, `TagFilters.${n}.Values`) });
  }
  const size = maxResults(p, 15);
  const acct = ctx.account.accountId;
  if (ctx.world.describeImagesUnknownId === "notFound" && ids.some((id) => !visibleImage(ctx, ctx.region, id))) throw business.imageNotFound();
  // [INFERRED] Unknown ids match nothing (HTTP 200, empty Images), as the tf provider expects.
  const all = [...regionImages(ctx, ctx.region).values()].filter((img) => {
    const vis = ctx.model.visibilityFor(img, acct);
    if (vis === undefined) return false;
    if (ids.length > 0 && !ids.includes(img.imageId)) return false;
    if (name !== undefined && name !== "" && img.imageName !== name) return false; // exact match [INFERRED]
    if (statuses.length > 0 && !statuses.includes(img.status)) return false;
    if (visibility !== undefined && visibility !== "" && vis !== visibility) return false;
    if (osType !== undefined && osType !== "" && img.osType !== osType) return false;
    if (platform !== undefined && platform !== "" && img.platform !== platform) return false;
    if (projectName !== undefined && projectName !== "" && img.projectName !== projectName) return false;
    if (isLTS === true && !img.isLTS) return false; // documented: only `true` takes effect
    if (cloudInit !== undefined && img.isSupportCloudInit !== cloudInit) return false;
    for (const f of tagFilters) {
      const t = img.tags.find((x) => x.key === f.key);
      if (!t || (f.values.length > 0 && !f.values.includes(t.value))) return false;
    }
    return true;
  });
  const { page, nextToken } = pageOf(all, p, size);
  return {
    Images: page.map((img) => {
      const { Region: _r, Shared: _s, CopyTaskId: _c, ...api } = ctx.model.imageView(img, acct);
      return api;
    }),
    NextToken: nextToken,
    TotalCount: all.length,
  };
}

function deleteImages(ctx: ActionContext): Result {
  const ids = listParam(ctx.params, "ImageIds").filter((id) => id !== "");
  if (ids.length === 0) throw business.missing("ImageIds");
  limitList(ids, "ImageIds", 100);
  // Documented "true (default)", but the doc's own example sends false: the default is a world switch.
  const deleteSnapshots = boolParam(ctx.params, "DeleteBindedSnapshots") ?? ctx.world.deleteBindedSnapshotsDefault;
  const details: { ImageId: string; Error?: { Code: string; Message: string } }[] = [];
  const fail = (id: string, e: ApiError) => details.push({ ImageId: id, Error: { Code: e.code, Message: e.message } });
  const acct = ctx.account.accountId;
  const m = regionImages(ctx, ctx.region);
  for (const id of [...new Set(ids)]) {
    const img = m.get(id);
    const vis = img ? ctx.model.visibilityFor(img, acct) : undefined;
    const injected = ctx.faults.onImage("DeleteImages", ctx.region, id);
    if (injected) fail(id, injected);
    // [INFERRED] A public image is not one of the caller's custom images: reported as InvalidImage.NotFound.
    else if (!img || vis === undefined || vis === "public") fail(id, business.imageNotFound());
    // [INFERRED] Shared either way (the caller shared it out, or it was shared with the caller): InvalidImage.Shared.
    else if (img.shared || vis === "shared") {
      fail(id, errorAnswer("InvalidImage.Shared"));
    } else if (img.status === "creating" && img.copyTaskId !== undefined) {
      fail(id, errorAnswer("OperationDenied.ImageIsCopying"));
    } else if (img.status === "creating") fail(id, business.imageStatus());
    else {
      m.delete(id); // [INFERRED] gone at once, no intermediate "deleting" status
      ctx.model.snapshots.releaseImage(ctx.region, id, deleteSnapshots);
      // The doc does not say whether successes are listed; in the "listed" world they appear without Error.
      if (ctx.world.deleteImagesSuccesses === "listed") details.push({ ImageId: id });
    }
  }
  // HTTP 200 even if every image failed. [INFERRED]
  return { OperationDetails: details };
}

export const handlers: Record<ActionName, (ctx: ActionContext) => Result> = {
  CopyImage: copyImage,
  DescribeTasks: describeTasks,
  DescribeImages: describeImages,
  DeleteImages: deleteImages,
  ModifyImageAttribute: modifyImageAttribute,
  TagResources: tagResources,
  UntagResources: untagResources,
};
