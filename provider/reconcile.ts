/**
 * The one reconcile step of name, description and tags, shared by create, adopt and update, and
 * the one rule of which side wins in the outputs, shared with read:
 *
 * - Writing: a name or description the program gives is set where the image's differs; the
 *   program's managed tags (plus the ownership tag, where it is wanted) are set where missing or
 *   different, and keys managed before but no longer given are removed. Tags of others (copied
 *   from the source, set in the console) are never touched.
 * - Reporting: a value just written wins (the program's); otherwise what the image says wins over
 *   what was recorded, so that changes made outside Pulumi show up as drift on refresh.
 */
import type { DestinationRegionClient, ImageRecord, Tag } from "./ecs";

/** What the image should look like. Undefined name/description: whatever it is. */
export interface Desired {
  imageName?: string;
  description?: string;
  tags: readonly Tag[];
}

/** What the image is believed to look like (read from it, or recorded in the state). */
export interface Current {
  imageName?: string;
  description?: string;
  tags: Readonly<Record<string, string>>;
  /** Keys the program managed before: those no longer desired are removed. */
  managedKeys: readonly string[];
}

export interface Changes {
  modify?: { imageName?: string; description?: string };
  untag: string[];
  tag: Tag[];
}

/** The image's tags as a record. */
export function tagsOf(image: ImageRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of image.Tags ?? []) Object.defineProperty(out, t.Key, { value: t.Value, enumerable: true, writable: true, configurable: true });
  return out;
}

export function planChanges(desired: Desired, current: Current): Changes {
  const modify: { imageName?: string; description?: string } = {};
  if (desired.imageName !== undefined && desired.imageName !== current.imageName) modify.imageName = desired.imageName;
  if (desired.description !== undefined && desired.description !== current.description) modify.description = desired.description;
  const wantedKeys = new Set(desired.tags.map((t) => t.Key));
  const has = (k: string) => Object.prototype.hasOwnProperty.call(current.tags, k);
  return {
    modify: modify.imageName !== undefined || modify.description !== undefined ? modify : undefined,
    untag: current.managedKeys.filter((k) => !wantedKeys.has(k)),
    tag: desired.tags.filter((t) => !has(t.Key) || current.tags[t.Key] !== t.Value),
  };
}

/** Plans and applies: ModifyImageAttribute, UntagResources, TagResources, each only when needed. True when anything was changed. */
export async function reconcile(destination: DestinationRegionClient, imageId: string, desired: Desired, current: Current): Promise<boolean> {
  const c = planChanges(desired, current);
  if (c.modify) await destination.modifyImageAttribute(imageId, c.modify);
  if (c.untag.length) await destination.untagResources([imageId], c.untag);
  if (c.tag.length) await destination.tagResources([imageId], c.tag);
  return c.modify !== undefined || c.untag.length > 0 || c.tag.length > 0;
}

/**
 * Which side wins for a name or description in the outputs: after a write, the program's value
 * (when it gives one); otherwise the image's, and the recorded one only when the image says nothing.
 */
export function reported<T>(after: "write" | "read", program: T | undefined, image: T | undefined, recorded: T | undefined): T | undefined {
  if (after === "write" && program !== undefined) return program;
  return image ?? recorded;
}

/** The managed tags as the image has them (for refresh): only the keys the state manages. */
export function reportedTags(recorded: unknown, image: ImageRecord, managedKeys: readonly string[]): Record<string, string> | undefined {
  if (recorded === undefined) return undefined;
  return Object.fromEntries((image.Tags ?? []).filter((t) => managedKeys.includes(t.Key)).map((t) => [t.Key, t.Value]));
}
