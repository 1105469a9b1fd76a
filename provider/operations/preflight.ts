/**
 * Read-only checks that make `pulumi preview` fail on what would otherwise fail halfway through
 * `pulumi up`: the source image exists, is available and ours; the destination region is known and
 * has room for the planned copies (50 custom images per region); a chosen name is free there.
 * Runs only when `volcengine:copiedImagePreflight` is on, credentials are available, `check` found
 * nothing, and this check plans a new copy (a create or a replacement). Otherwise no request at all.
 */
import type { ProviderSettings } from "../settings/config";
import { isUnknown, type Failure } from "./validate";
import { REPLACE_KEYS, carriesOwnerTag } from "./naming";
import { same } from "./check";
import type { CopiedImageInputs } from "./model";
import type { Session } from "../ecs/session";
import type { OperationContext } from "./context";

/** "每个地域下最多支持50个自定义镜像" (the CopyImage page). */
export const MAX_IMAGES_PER_REGION = 50;

/** Copies planned per destination region in this process (one plugin process serves one deployment). */
export class CopyPlan {
  private readonly planned = new Map<string, Set<string>>();
  /** Counts a planned copy (once per resource); returns the copies planned in that region. */
  add(region: string, identity: string): number {
    const set = this.planned.get(region) ?? new Set<string>();
    set.add(identity);
    this.planned.set(region, set);
    return set.size;
  }
}

export async function preflight(
  olds: Record<string, unknown>,
  inputs: CopiedImageInputs,
  settings: () => ProviderSettings,
  session: (s: ProviderSettings) => Session,
  plan: CopyPlan,
  ctx: OperationContext,
): Promise<Failure[]> {
  let s: ProviderSettings;
  try {
    s = settings();
  } catch {
    return [];
  }
  if (!s.preflight || !s.credentials) return [];
  const i = inputs;
  const relevant = [i.sourceImageId, i.sourceRegion, i.destinationRegion, i.imageName];
  if (relevant.some((v) => typeof v !== "string" || isUnknown(v))) return [];
  const plansNewCopy = typeof olds.imageName !== "string" || REPLACE_KEYS.some((k) => !same(olds[k], i[k]));
  if (!plansNewCopy) return [];

  const sess = session(s);
  const source = sess.source(i.sourceRegion, ctx.signal);
  const destination = sess.destination(i.destinationRegion, ctx.signal);
  const failures: Failure[] = [];
  const unreadable = (property: string, what: string, e: unknown): Failure => ({
    property,
    reason: `preflight could not read ${what}: ${(e as Error).message}`,
  });

  try {
    const image = await source.describeImage(i.sourceImageId);
    if (!image) {
      failures.push({
        property: "sourceImageId",
        reason: `sourceImageId ${i.sourceImageId} does not exist in ${i.sourceRegion} (or is not visible to these credentials).`,
      });
    } else if (image.Visibility !== undefined && image.Visibility !== "private") {
      failures.push({
        property: "sourceImageId",
        reason: `sourceImageId ${i.sourceImageId} is a ${image.Visibility} image; only custom images of this account can be copied.`,
      });
    } else if (image.Status !== "available") {
      failures.push({
        property: "sourceImageId",
        reason: `sourceImageId ${i.sourceImageId} is ${image.Status}, not available; it can be copied once it is available.`,
      });
    }
  } catch (e) {
    failures.push(unreadable("sourceImageId", `the source image in ${i.sourceRegion}`, e));
  }

  try {
    const existing = (await destination.listCustomImages()).filter((img) => img.Visibility === undefined || img.Visibility === "private");
    const taken = existing.filter((img) => img.ImageName === i.imageName && !carriesOwnerTag(img, i.__meta));
    if (taken.length > 0 && !i.__meta.autoNamed) {
      failures.push({
        property: "imageName",
        reason: `imageName "${i.imageName}" is already used in ${i.destinationRegion} by ${taken.map((t) => t.ImageId).join(", ")}; choose another name or adopt that image with the input adoptImageId.`,
      });
    }
    const planned = plan.add(i.destinationRegion, i.__meta.identity ?? i.imageName);
    if (existing.length + planned > MAX_IMAGES_PER_REGION) {
      failures.push({
        property: "destinationRegion",
        reason:
          `${i.destinationRegion} holds ${existing.length} custom images and this deployment plans ${planned} new ` +
          `cop${planned === 1 ? "y" : "ies"} there; Volcengine allows at most ${MAX_IMAGES_PER_REGION} custom images per region.`,
      });
    }
  } catch (e) {
    failures.push(unreadable("destinationRegion", `the custom images in ${i.destinationRegion} (is it a Volcengine region?)`, e));
  }
  return failures;
}
