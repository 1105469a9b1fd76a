/**
 * Names and ownership: the generated image name, the ownership tag, which tags are the user's.
 * A copy is recognised as this resource's by the ownership tag (value: a hash of the resource's
 * identity), or, for a generated name, by the name itself (it hashes that identity too).
 */
import { createHash } from "node:crypto";
import type { ImageRecord, Tag } from "../ecs/client";
import type { CopiedImageInputs, Meta } from "./model";
import { imageNamePrefix } from "./validate";

/** The tag every copy carries so that the provider recognises its own copies (value: a hash of the resource's identity). */
export const OWNER_TAG_KEY = "pulumi-copied-image:owner";

/** Properties whose change replaces the copy (a copy cannot move or change its source). */
export const REPLACE_KEYS = ["sourceImageId", "sourceRegion", "destinationRegion", "copyImageTags", "projectName"] as const;

export function hash(text: string, length: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** What makes a resource unique: project/stack/name, or the bare resource name from older states. */
function identityOf(meta: Meta | undefined): string {
  return meta?.identity ?? meta?.resourceName ?? "";
}

/** The value of the ownership tag for a resource identity. */
export function ownerTagValue(identity: string): string {
  return hash(`copied-image-owner|${identity}`, 16);
}

/** The ownership tag of a resource. */
export function ownerTag(meta: Meta | undefined): Tag {
  return { Key: OWNER_TAG_KEY, Value: ownerTagValue(identityOf(meta)) };
}

/** True when the image carries this resource's ownership tag. */
export function carriesOwnerTag(image: ImageRecord, meta: Meta | undefined): boolean {
  const mine = ownerTag(meta).Value;
  return (image.Tags ?? []).some((t) => t.Key === OWNER_TAG_KEY && t.Value === mine);
}

/** The generated image name: resource name plus a hash of identity and replacement-triggering inputs. */
export function autoImageName(meta: Meta, inputs: Pick<CopiedImageInputs, (typeof REPLACE_KEYS)[number]>): string {
  const key = [identityOf(meta), ...REPLACE_KEYS.map((k) => String(inputs[k] ?? ""))].join("|");
  const suffix = hash(key, 7);
  return `${imageNamePrefix(meta.resourceName ?? "copied-image", suffix.length + 1)}-${suffix}`;
}

/** The tags the user manages (the ownership tag is ours, copied tags are the source's). */
export function managedTags(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    // defineProperty: a tag key "__proto__" must be an entry, not a prototype change.
    if (k !== OWNER_TAG_KEY && typeof v === "string")
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The tags a copy of ours must carry: the user's, and the ownership tag. */
export function wantedTags(inputs: Pick<CopiedImageInputs, "tags" | "__meta">): Tag[] {
  const tags = Object.entries(managedTags(inputs.tags)).map(([Key, Value]) => ({ Key, Value }));
  tags.push(ownerTag(inputs.__meta));
  return tags;
}
