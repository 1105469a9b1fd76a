// What an action handler gets, and the image look-ups every action needs.
import type { FaultSet } from "../misbehaviour/faults";
import type { Account, ImageRec, Model } from "../state/store";
import type { World } from "../types";

export interface ActionContext {
  model: Model;
  faults: FaultSet;
  params: Map<string, string>;
  region: string;
  account: Account;
  copyDurationMs: number;
  maxImagesPerRegion: number;
  world: Readonly<World>;
}

export function regionImages(ctx: ActionContext, region: string): Map<string, ImageRec> {
  return ctx.model.images.get(region) ?? new Map();
}

/** The image if the caller can see it in the region. */
export function visibleImage(ctx: ActionContext, region: string, id: string): ImageRec | undefined {
  const img = regionImages(ctx, region).get(id);
  return img && ctx.model.visibilityFor(img, ctx.account.accountId) !== undefined ? img : undefined;
}

/** The image if it is the caller's own custom image in the region. */
export function ownImage(ctx: ActionContext, region: string, id: string): ImageRec | undefined {
  const img = visibleImage(ctx, region, id);
  return img && ctx.model.visibilityFor(img, ctx.account.accountId) === "private" ? img : undefined;
}
