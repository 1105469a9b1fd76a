// The seven ECS actions the emulator implements. Each handler returns the `Result` object or throws an ApiError.
import { ApiError, business } from "./errors";
import type { FaultSet } from "./faults";
import { type Account, type ImageRec, type Model, randomId } from "./model";
import {
  MAX_RESOURCES_PER_TAG_CALL, MAX_TAGS_PER_CALL, MAX_TAGS_PER_RESOURCE, validDescription, validImageName, validTagKey, validTagValue,
} from "./rules";

export const VERSION = "2020-04-01";
export const SERVICE = "ecs";
export const ACTIONS = [
  "CopyImage", "DescribeTasks", "DescribeImages", "DeleteImages", "ModifyImageAttribute", "TagResources", "UntagResources",
] as const;
export type ActionName = (typeof ACTIONS)[number];

export interface ActionContext {
  model: Model;
  faults: FaultSet;
  params: Map<string, string>;
  region: string;
  account: Account;
  copyDurationMs: number;
  maxImagesPerRegion: number;
}

type Result = Record<string, unknown>;

// ---------- parameter helpers ----------

/** Values of `Name.1`, `Name.2`, ... in index order. A bare `Name=` (go-sdk empty list) gives []. */
function listParam(params: Map<string, string>, name: string): string[] {
  const re = new RegExp(`^${name.replace(/\./g, "\\.")}\\.(\\d+)$`);
  const items: [number, string][] = [];
  for (const [k, v] of params) {
    const m = re.exec(k);
    if (m) items.push([Number(m[1]), v]);
  }
  return items.sort((a, b) => a[0] - b[0]).map((x) => x[1]);
}

/** `Tags.N.Key` / `Tags.N.Value` pairs in index order. */
function tagsParam(params: Map<string, string>, name = "Tags"): { key: string; value: string; n: number }[] {
  const byN = new Map<number, { key?: string; value?: string }>();
  const re = new RegExp(`^${name}\\.(\\d+)\\.(Key|Value)$`);
  for (const [k, v] of params) {
    const m = re.exec(k);
    if (!m) continue;
    const n = Number(m[1]);
    const e = byN.get(n) ?? {};
    if (m[2] === "Key") e.key = v;
    else e.value = v;
    byN.set(n, e);
  }
  return [...byN.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([n, e]) => {
      if (e.key === undefined) throw business.missing(`${name}.${n}.Key`);
      return { key: e.key, value: e.value ?? "", n };
    });
}

function boolParam(params: Map<string, string>, name: string): boolean | undefined {
  const v = params.get(name);
  if (v === undefined || v === "") return undefined;
  if (v === "true") return true;
  if (v === "false") return false;
  throw business.invalidArgument(`${name} must be true or false.`);
}

function maxResults(params: Map<string, string>, dflt: number): number {
  const v = params.get("MaxResults");
  if (v === undefined || v === "") return dflt;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 100) throw business.invalidArgument("MaxResults must be an integer from 1 to 100.");
  return Number(v);
}

/** NextToken is an opaque base64url offset. [INFERRED] the real token format is unknown. */
function pageOf<T>(items: T[], params: Map<string, string>, size: number): { page: T[]; nextToken: string } {
  const tok = params.get("NextToken") ?? "";
  let offset = 0;
  if (tok !== "") {
    const m = /^o:(\d+)$/.exec(Buffer.from(tok, "base64url").toString("utf8"));
    if (!m) throw business.invalidArgument("NextToken is invalid.");
    offset = Number(m[1]);
  }
  const page = items.slice(offset, offset + size);
  const next = offset + size < items.length ? Buffer.from(`o:${offset + size}`).toString("base64url") : "";
  return { page, nextToken: next };
}

function limitList(list: string[], name: string, max: number): void {
  if (list.length > max) throw business.invalidArgument(`${name}.N accepts at most ${max} items.`);
}

function regionImages(ctx: ActionContext, region: string): Map<string, ImageRec> {
  return ctx.model.images.get(region) ?? new Map();
}

/** The image if the caller can see it in the region. */
function visibleImage(ctx: ActionContext, region: string, id: string): ImageRec | undefined {
  const img = regionImages(ctx, region).get(id);
  return img && ctx.model.visibilityFor(img, ctx.account.accountId) !== undefined ? img : undefined;
}

/** The image if it is the caller's own custom image in the region. */
function ownImage(ctx: ActionContext, region: string, id: string): ImageRec | undefined {
  const img = visibleImage(ctx, region, id);
  return img && ctx.model.visibilityFor(img, ctx.account.accountId) === "private" ? img : undefined;
}

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
  const extraTags = tagsParam(p);
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
  ctx.model.tasks.set(taskId, {
    id: taskId, region: dest, accountId: ctx.account.accountId, resourceId: newId, sourceRegion: ctx.region, sourceImageId: src.imageId,
    createdAt: now, durationMs: faults.durationMs ?? ctx.copyDurationMs,
    ...(faults.failAtPercent !== undefined ? { failAtPercent: faults.failAtPercent } : {}),
    invisibleUntilReal: faults.invisibleMs !== undefined ? Date.now() + faults.invisibleMs : 0,
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
      return { Id: v.Id, ResourceId: v.ResourceId, Type: v.Type, Status: v.Status, Process: v.Process, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, EndAt: v.EndAt };
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
  boolParam(ctx.params, "DeleteBindedSnapshots"); // accepted and validated; the emulator has no snapshots
  const details: { ImageId: string; Error: { Code: string; Message: string } }[] = [];
  const fail = (id: string, e: ApiError) => details.push({ ImageId: id, Error: { Code: e.code, Message: e.message } });
  const acct = ctx.account.accountId;
  const m = regionImages(ctx, ctx.region);
  for (const id of [...new Set(ids)]) {
    const img = m.get(id);
    const vis = img ? ctx.model.visibilityFor(img, acct) : undefined;
    // [INFERRED] A public image is not one of the caller's custom images: reported as InvalidImage.NotFound.
    if (!img || vis === undefined || vis === "public") fail(id, business.imageNotFound());
    // [INFERRED] Shared either way (the caller shared it out, or it was shared with the caller): InvalidImage.Shared.
    else if (img.shared || vis === "shared") {
      fail(id, new ApiError(400, "InvalidImage.Shared", "The specified image has already been shared and may be in use by other users."));
    } else if (img.status === "creating" && img.copyTaskId !== undefined) {
      fail(id, new ApiError(400, "OperationDenied.ImageIsCopying", "The specified operation is denied as your image is copying."));
    } else if (img.status === "creating") fail(id, business.imageStatus());
    else m.delete(id); // [INFERRED] gone at once, no intermediate "deleting" status
  }
  // [INFERRED] Successful deletions are left out of OperationDetails; HTTP 200 even if every image failed.
  return { OperationDetails: details };
}

function modifyImageAttribute(ctx: ActionContext): Result {
  const p = ctx.params;
  const id = p.get("ImageId") ?? "";
  if (id === "") throw business.missing("ImageId");
  const name = p.get("ImageName");
  if (name !== undefined && !validImageName(name)) throw business.malformed("ImageName");
  const description = p.get("Description");
  if (description !== undefined && !validDescription(description)) throw business.malformed("Description");
  const bootMode = p.get("BootMode");
  if (bootMode !== undefined && bootMode !== "BIOS" && bootMode !== "UEFI") throw business.malformed("BootMode");
  // [INFERRED] Only the caller's own custom images can be modified; public/shared ones look not found.
  const img = ownImage(ctx, ctx.region, id);
  if (!img) throw business.imageNotFound();
  if (img.status !== "available") throw business.imageStatus();
  // Documented: ARM images are always UEFI. [INFERRED] asking for BIOS on arm64 is refused as malformed.
  if (bootMode === "BIOS" && /arm|aarch/i.test(img.architecture)) throw business.malformed("BootMode");
  if (name !== undefined) img.imageName = name;
  if (description !== undefined) img.description = description; // omitted keeps, "" clears (documented)
  if (bootMode !== undefined) img.bootMode = bootMode;
  img.updatedAt = ctx.model.now();
  return {};
}

function tagQuota(): ApiError {
  // [INFERRED] code name; the doc states the 50-tags-per-resource limit but no error code was found.
  return new ApiError(400, "LimitExceeded.TagsPerResource", "The quota of tags on resource is beyond permitted range.");
}

function tagTargets(ctx: ActionContext): ImageRec[] {
  const p = ctx.params;
  const type = p.get("ResourceType") ?? "";
  if (type === "") throw business.missing("ResourceType");
  // [INFERRED] Only images are emulated; the other documented types are refused like an unknown type.
  if (type !== "image") throw new ApiError(400, "InvalidResourceType.Malformed", "The specified ResourceType is malformed.");
  const ids = listParam(p, "ResourceIds").filter((x) => x !== "");
  if (ids.length === 0) throw business.missing("ResourceIds");
  limitList(ids, "ResourceIds", MAX_RESOURCES_PER_TAG_CALL);
  return [...new Set(ids)].map((id) => {
    const img = ownImage(ctx, ctx.region, id);
    // [INFERRED] InvalidResourceId.NotFound 404 (the per-item code of the old CreateTags API) for the whole call.
    if (!img) throw new ApiError(404, "InvalidResourceId.NotFound", `The specified ResourceId ${id} does not exist.`);
    return img;
  });
}

function tagResources(ctx: ActionContext): Result {
  const tags = tagsParam(ctx.params);
  if (tags.length === 0) throw business.missing("Tags");
  if (tags.length > MAX_TAGS_PER_CALL) throw business.invalidArgument(`Tags.N accepts at most ${MAX_TAGS_PER_CALL} items.`);
  for (const t of tags) {
    if (!validTagKey(t.key)) throw new ApiError(400, "InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid.");
    if (!validTagValue(t.value)) throw new ApiError(400, "InvalidTagValue.Malformed", "The specified Tag.n.Value is not valid.");
  }
  if (new Set(tags.map((t) => t.key)).size !== tags.length) {
    throw new ApiError(400, "Duplicate.TagKey", "The Tag.N.Key contain duplicate key."); // [INFERRED] code
  }
  const targets = tagTargets(ctx);
  for (const img of targets) {
    // Documented: resources being deleted cannot be tagged; the emulator deletes at once, so that never arises.
    const keys = new Set([...img.tags.map((t) => t.key), ...tags.map((t) => t.key)]);
    if (keys.size > MAX_TAGS_PER_RESOURCE) throw tagQuota();
  }
  for (const img of targets) {
    for (const t of tags) {
      const existing = img.tags.find((x) => x.key === t.key);
      if (existing) existing.value = t.value; // documented: an existing key is overwritten
      else img.tags.push({ key: t.key, value: t.value });
    }
  }
  return {};
}

function untagResources(ctx: ActionContext): Result {
  const keys = listParam(ctx.params, "TagKeys").filter((k) => k !== "");
  if (keys.length === 0) throw business.missing("TagKeys");
  limitList(keys, "TagKeys", MAX_TAGS_PER_CALL);
  const targets = tagTargets(ctx);
  for (const img of targets) img.tags = img.tags.filter((t) => !keys.includes(t.key)); // absent keys: no error [INFERRED]
  return {};
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

