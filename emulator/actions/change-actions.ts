// ModifyImageAttribute, TagResources and UntagResources: the actions that change an existing image in place.
import { type ActionContext, ownImage } from "./action-context";
import { ApiError, business } from "../http/api-error";
import type { ImageRec } from "../state/store";
import { limitList, listParam, tagsParam } from "./params";
import {
  MAX_RESOURCES_PER_TAG_CALL,
  MAX_TAGS_PER_CALL,
  MAX_TAGS_PER_RESOURCE,
  validDescription,
  validImageName,
  validTagKey,
  validTagValue,
} from "./param-rules";

type Result = Record<string, unknown>;

export function modifyImageAttribute(ctx: ActionContext): Result {
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

export function tagQuota(): ApiError {
  // [INFERRED] code name; the doc states the 50-tags-per-resource limit but no error code was found.
  return new ApiError(400, "LimitExceeded.TagsPerResource", "The quota of tags on resource is beyond permitted range.");
}

export function tagTargets(ctx: ActionContext): ImageRec[] {
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

export function tagResources(ctx: ActionContext): Result {
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
      if (existing)
        existing.value = t.value; // documented: an existing key is overwritten
      else img.tags.push({ key: t.key, value: t.value });
    }
  }
  return {};
}

export function untagResources(ctx: ActionContext): Result {
  const keys = listParam(ctx.params, "TagKeys").filter((k) => k !== "");
  if (keys.length === 0) throw business.missing("TagKeys");
  limitList(keys, "TagKeys", MAX_TAGS_PER_CALL);
  const targets = tagTargets(ctx);
  for (const img of targets) img.tags = img.tags.filter((t) => !keys.includes(t.key)); // absent keys: no error [INFERRED]
  return {};
}
