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
 * - Failing: a request that fails stops the reconcile with a `ReconcileError` that carries what the
 *   image looks like now (`applied`), so that the caller records the truth (a partial state) and the
 *   next `pulumi up` finishes the job; `describeReconcileFailure` says what failed and what helps.
 */
import type { DestinationRegionClient, ImageRecord, Tag } from "../ecs/client";
import { VolcengineError, isAuthorizationError } from "../ecs/volcengine-error";
import { OWNER_TAG_KEY } from "./naming";

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

/** What the image looks like after a reconcile, as far as the provider knows: what it was, plus every change that went through. */
export interface Applied {
  imageName?: string;
  description?: string;
  tags: Record<string, string>;
}

export interface Reconciled {
  /** True when anything was changed. */
  changed: boolean;
  /** True when TagResources was called (and so is allowed). */
  tagged: boolean;
  applied: Applied;
}

type ReconcileAction = "ModifyImageAttribute" | "UntagResources" | "TagResources";

/**
 * A reconcile that stopped at one request: `action` failed with `cause`; `applied` is the image as
 * it is now (the changes before went through; a definite rejection changed nothing; after an
 * ambiguous failure the tag keys of that request are left out, as they may or may not have changed).
 */
export class ReconcileError extends Error {
  constructor(
    readonly action: ReconcileAction,
    readonly error: unknown,
    readonly applied: Applied,
    /** The tags this resource still wants that are not on the image. */
    readonly missingTags: Tag[],
  ) {
    super(error instanceof Error ? error.message : String(error));
  }
}

/** Whether the request certainly did not change anything (an answer that refused it). */
function definitelyRefused(e: unknown): boolean {
  return e instanceof VolcengineError && !e.ambiguous && e.httpStatus !== undefined && e.httpStatus >= 400 && e.httpStatus < 500;
}

/** Tags per TagResources / UntagResources call (reference §6). */
const TAGS_PER_CALL = 20;

/**
 * Plans and applies: ModifyImageAttribute, UntagResources, TagResources, each only when needed, and
 * returns the image as it is now. On a failed request, throws a `ReconcileError` that says which
 * request failed and what the image looks like after what went through.
 */
export async function reconcile(destination: DestinationRegionClient, imageId: string, desired: Desired, current: Current): Promise<Reconciled> {
  const c = planChanges(desired, current);
  const applied: Applied = { imageName: current.imageName, description: current.description, tags: { ...current.tags } };
  const missing = () => desired.tags.filter((t) => applied.tags[t.Key] !== t.Value);
  const step = async (action: ReconcileAction, run: () => Promise<void>, onDone: () => void, unknown: () => void) => {
    try {
      await run();
    } catch (e) {
      if (!definitelyRefused(e)) unknown();
      throw new ReconcileError(action, e, applied, missing());
    }
    onDone();
  };
  const drop = (keys: readonly string[]) => {
    for (const k of keys) delete applied.tags[k];
  };
  if (c.modify) {
    const m = c.modify;
    await step(
      "ModifyImageAttribute",
      () => destination.modifyImageAttribute(imageId, m),
      () => {
        if (m.imageName !== undefined) applied.imageName = m.imageName;
        if (m.description !== undefined) applied.description = m.description;
      },
      () => undefined, // unknown: the image keeps its old values as far as we can say
    );
  }
  for (let i = 0; i < c.untag.length; i += TAGS_PER_CALL) {
    const keys = c.untag.slice(i, i + TAGS_PER_CALL);
    await step(
      "UntagResources",
      () => destination.untagResources([imageId], keys),
      () => drop(keys),
      () => drop(keys),
    );
  }
  for (let i = 0; i < c.tag.length; i += TAGS_PER_CALL) {
    const tags = c.tag.slice(i, i + TAGS_PER_CALL);
    await step(
      "TagResources",
      () => destination.tagResources([imageId], tags),
      () => {
        for (const t of tags) Object.defineProperty(applied.tags, t.Key, { value: t.Value, enumerable: true, writable: true, configurable: true });
      },
      () => drop(tags.map((t) => t.Key)),
    );
  }
  return { changed: c.modify !== undefined || c.untag.length > 0 || c.tag.length > 0, tagged: c.tag.length > 0, applied };
}

/** The tags of `tags` among `keys` (for the outputs: only the keys the resource manages). */
export function pickTags(tags: Readonly<Record<string, string>>, keys: Iterable<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    if (Object.prototype.hasOwnProperty.call(tags, k))
      Object.defineProperty(out, k, { value: tags[k], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * What a failed reconcile request means for the user, in one sentence or two: which request failed,
 * its error, and (for a refusal by permissions) the right to grant.
 */
export function describeReconcileFailure(e: ReconcileError): string {
  const what = e.action === "TagResources" ? "tagging" : e.action === "UntagResources" ? "removing tags" : "renaming or redescribing";
  const cause = e.error instanceof Error ? e.error.message : String(e.error);
  const right = isAuthorizationError(e.error)
    ? ` The credentials lack the right ecs:${e.action}: grant it (a policy allowing ecs:${e.action} on the image).`
    : "";
  return `${what} failed: ${cause}${right}`;
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

/** The failed request in short: action, region, code, HTTP status, request id (no advice). */
function shortCause(e: unknown): string {
  if (!(e instanceof VolcengineError)) return e instanceof Error ? e.message : String(e);
  const status = e.httpStatus !== undefined ? `HTTP ${e.httpStatus}, ` : "";
  return `${e.action} in ${e.region} failed: ${e.code} (${status}request id ${e.requestId ?? "none"})`;
}

/**
 * The warning when only the ownership tag could not be set (it is best effort): which right is
 * missing, and what that costs.
 */
export function ownerTagWarning(imageId: string, e: ReconcileError): string {
  const why = isAuthorizationError(e.error) ? `the credentials lack the right ecs:TagResources (${shortCause(e.error)})` : `${shortCause(e.error)}`;
  return (
    `the copy ${imageId} is made, but its ownership tag ${OWNER_TAG_KEY} could not be set: ${why}. ` +
    "What this costs: if a run dies between CopyImage and Pulumi saving the state, the next run recognises the copy by its generated name only; " +
    "a copy with a chosen imageName would not be recognised and would have to be adopted with the input `adoptImageId`. " +
    (isAuthorizationError(e.error) ? "Grant ecs:TagResources to close this gap." : "")
  ).trim();
}
