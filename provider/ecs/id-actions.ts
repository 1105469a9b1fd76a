/**
 * The actions that name image ids, as the region batcher (`region-batcher.ts`) sends them: one
 * request for up to 100 ids, and what it says of each id. And paging (NextToken), which every
 * listing shares.
 *
 * Unknown ids in DescribeImages: no doc statement and no `InvalidImage.NotFound` in its error table;
 * the tf provider's read path implies an empty list, but a 404 `InvalidImage.NotFound` for a request
 * with any unknown id is the other reading (emulator world `describeImagesUnknownId: "notFound"`)
 * [INFERRED: both readings are handled]. So such an answer for one id reads as "not there", and for
 * several ids the batcher asks each on its own. DescribeTasks gets the same treatment (its doc is
 * silent too).
 */
import { VolcengineError } from "./volcengine-error";
import type { CallBounds, WireClient, CallOptions, Params } from "./wire";
import { badAnswer, deleteImagesAnswer, describeImagesAnswer, describeTasksAnswer, type AnswerCheck, type Page } from "./result-checks";
import type { ImageRecord, TaskRecord } from "./client";
import type { Ticket } from "./rate-limit";

/** The documented ceiling of ids per DescribeImages / DescribeTasks / DeleteImages request. */
export const MAX_IDS_PER_REQUEST = 100;

/** What bounds one request: the callers' bounds, and the first attempt's token when the batch already took it. */
export interface RequestBounds extends CallBounds {
  signal?: AbortSignal;
  token?: Ticket;
}

/** One action that names image ids, with the parameters every id of a request shares. */
export interface BatchedAction<T> {
  /** The action's name, for errors. */
  readonly action: string;
  /** The action and its shared parameters: only calls with the same key share a request. */
  readonly key: string;
  /** One request for these ids (at most 100); what it says of each id (an id it does not mention is absent). */
  send(wire: WireClient, region: string, ids: readonly string[], bounds: RequestBounds): Promise<Map<string, T>>;
  /** A whole-request error that one id may have caused alone: each id is then asked on its own. */
  oneIdMayCause(e: unknown): boolean;
  /** A whole-request error for a lone id that means "not there" (absent), not a failure. */
  meansAbsent(e: unknown): boolean;
}

/** No listing of ours has this many pages (50 images per region, 100 per page): a NextToken that
 * never ends is a broken answer, not a long list. */
const MAX_PAGES = 1_000;

export function isUnknownId(e: unknown): boolean {
  return (
    e instanceof VolcengineError && (e.code === "InvalidImage.NotFound" || e.code === "InvalidTask.NotFound" || e.code === "InvalidResource.NotFound")
  );
}

/** Follows NextToken (the first page with the token a batch already took); stops on a repeated token or an endless list. */
export async function pages<T>(
  wire: WireClient,
  region: string,
  action: string,
  params: Params,
  check: AnswerCheck<Page<T>>,
  opts: Omit<CallOptions, "check" | "idempotent">,
): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let nextToken: string | undefined;
  for (let page = 0; ; page++) {
    const r = await wire.call(
      action,
      region,
      { ...params, MaxResults: MAX_IDS_PER_REQUEST, NextToken: nextToken },
      { ...opts, idempotent: true, check, token: page === 0 ? opts.token : undefined },
    );
    // No spread into arguments: a page can be far larger than asked for.
    for (const entry of r.entries) out.push(entry);
    nextToken = r.nextToken;
    if (!nextToken) return out;
    if (seen.has(nextToken) || page + 1 >= MAX_PAGES) {
      throw badAnswer(
        { action, region },
        `the answer's NextToken ${seen.has(nextToken) ? "repeats an earlier one" : `still goes on after ${MAX_PAGES} pages`}`,
      );
    }
    seen.add(nextToken);
  }
}

/** DescribeImages by ids: each image that exists (unknown ids are absent, whichever way the service says so). */
export const describeImagesById: BatchedAction<ImageRecord> = {
  action: "DescribeImages",
  key: "DescribeImages",
  async send(wire: WireClient, region: string, ids: readonly string[], bounds: RequestBounds) {
    const found = await pages(wire, region, "DescribeImages", { ImageIds: ids }, describeImagesAnswer(new Set(ids), MAX_IDS_PER_REQUEST), bounds);
    const byId = new Map<string, ImageRecord>();
    for (const image of found) if (!byId.has(image.ImageId)) byId.set(image.ImageId, image);
    return byId;
  },
  oneIdMayCause: isUnknownId,
  meansAbsent: isUnknownId,
};

/**
 * Custom images by exact name, for `create`'s lookup of a copy a lost run started. DescribeImages
 * takes one `ImageName` a request, so a lone name keeps that filter, and concurrent lookups in one
 * region (a stack's copies start together) share ONE listing of the region's custom images instead,
 * which answers every name: one page at the documented 50 custom images a region (100 a page), where
 * one filtered request a copy made lookups half of an `up`'s requests. "Ids" here are names.
 */
export const describeImagesByName: BatchedAction<ImageRecord[]> = {
  action: "DescribeImages",
  key: "DescribeImages|ImageName",
  async send(wire: WireClient, region: string, names: readonly string[], bounds: RequestBounds) {
    const filter = names.length === 1 ? { ImageName: names[0], Visibility: "private" } : { Visibility: "private" };
    const listed = await pages(wire, region, "DescribeImages", filter, describeImagesAnswer(undefined, MAX_IDS_PER_REQUEST), bounds);
    const wanted = new Set(names);
    const byName = new Map<string, ImageRecord[]>();
    for (const image of listed) {
      const name = image.ImageName;
      if (name !== undefined && wanted.has(name)) byName.set(name, [...(byName.get(name) ?? []), image]);
    }
    return byName;
  },
  // No name makes a listing fail, and an absent name is an empty list, not an error.
  oneIdMayCause: () => false,
  meansAbsent: () => false,
};

/** DescribeTasks by ResourceIds: the tasks of each image (every page followed). */
export const describeTasksByImage: BatchedAction<TaskRecord[]> = {
  action: "DescribeTasks",
  key: "DescribeTasks",
  async send(wire: WireClient, region: string, ids: readonly string[], bounds: RequestBounds) {
    const tasks = await pages(wire, region, "DescribeTasks", { ResourceIds: ids }, describeTasksAnswer(new Set(ids)), bounds);
    const byImage = new Map<string, TaskRecord[]>();
    for (const t of tasks) byImage.set(t.ResourceId, [...(byImage.get(t.ResourceId) ?? []), t]);
    return byImage;
  },
  oneIdMayCause: isUnknownId,
  meansAbsent: isUnknownId,
};

/**
 * DeleteImages with one `DeleteBindedSnapshots` (only calls that agree on it share a request): the
 * per-image error of `OperationDetails` for each id that has one, as a VolcengineError with the
 * request id; an id without one was deleted (whether successes are listed is [UNCONFIRMED]: both
 * read the same). A whole-request error about an image's state (not found, copying, locked...) may
 * be one id's: the batcher then asks each on its own; for a lone id it reaches the caller as it is.
 */
export function deleteImages(deleteBindedSnapshots: boolean): BatchedAction<VolcengineError> {
  return deleteActions[deleteBindedSnapshots ? 1 : 0];
}

function deleteAction(deleteBindedSnapshots: boolean): BatchedAction<VolcengineError> {
  return {
    action: "DeleteImages",
    key: `DeleteImages|DeleteBindedSnapshots=${deleteBindedSnapshots}`,
    async send(wire: WireClient, region: string, ids: readonly string[], bounds: RequestBounds) {
      const { result, requestId } = await wire.callWithMeta(
        "DeleteImages",
        region,
        { ImageIds: ids, DeleteBindedSnapshots: deleteBindedSnapshots },
        { ...bounds, idempotent: true, check: deleteImagesAnswer(ids) },
      );
      const errors = new Map<string, VolcengineError>();
      for (const [id, e] of result) {
        errors.set(id, new VolcengineError({ code: e.Code, action: "DeleteImages", region, serviceMessage: e.Message, requestId }));
      }
      return errors;
    },
    oneIdMayCause: (e) =>
      isUnknownId(e) || (e instanceof VolcengineError && (e.code.startsWith("InvalidImage") || e.code.startsWith("OperationDenied."))),
    meansAbsent: () => false,
  };
}

const deleteActions = [deleteAction(false), deleteAction(true)] as const;
