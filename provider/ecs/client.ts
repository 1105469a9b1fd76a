/**
 * The ECS client: one typed function per action the provider uses, and nothing about Pulumi.
 *
 * The region a request is signed for is chosen here, by the type of client:
 * - `SourceRegionClient` signs CopyImage for the region the source image lives in (the doc's
 *   sample signs CopyImage with the source region; no sentence says it outright: [INFERRED]).
 * - `DestinationRegionClient` signs DescribeTasks, DescribeImages, ModifyImageAttribute,
 *   DeleteImages and the tag actions for the destination region, where the copy lives (the
 *   CopyImage doc: "call DescribeTasks in the destination region").
 */
import type { VolcengineError } from "./volcengine-error";
import { WireClient, type CallBounds, type Params } from "./wire";
import { copyImageAnswer, describeImagesAnswer, ignoredAnswer, type AnswerCheck, type Page } from "./result-checks";
import { batcherOf } from "./region-batcher";
import {
  deleteImages,
  describeImagesById,
  describeImagesByName,
  describeTasksByImage,
  pages,
  MAX_IDS_PER_REQUEST,
  type BatchedAction,
} from "./id-actions";

export interface Tag {
  Key: string;
  Value: string;
}

/** DescribeImages' `Images[]` (the fields we use; the service sends more). */
export interface ImageRecord {
  ImageId: string;
  ImageName?: string;
  Description?: string;
  Status?: string;
  Size?: number;
  OsName?: string;
  OsType?: string;
  Platform?: string;
  PlatformVersion?: string;
  Architecture?: string;
  BootMode?: string;
  Visibility?: string;
  ProjectName?: string;
  CreatedAt?: string;
  UpdatedAt?: string;
  ImageOwnerId?: string;
  Tags?: Tag[];
  /** The snapshots the image stands on (what is billed): `{SnapshotId, Size, VolumeKind}` (reference §3). */
  Snapshots?: { SnapshotId?: string; Size?: number; VolumeKind?: string }[];
}

/** DescribeTasks' `Tasks[]`. Note the field is `Process`, not `Progress` (reference §2). */
export interface TaskRecord {
  Id: string;
  ResourceId: string;
  Type?: string;
  Status: "Pending" | "Running" | "Succeeded" | "Failed" | string;
  Process?: number;
  CreatedAt?: string;
  UpdatedAt?: string;
  EndAt?: string;
}

export interface CopyImageRequest {
  sourceImageId: string;
  destinationRegion: string;
  imageName: string;
  description?: string;
  projectName?: string;
  copyImageTags?: boolean;
  /** `Tags.N` on CopyImage is in the go and python SDKs since 2025 but on no doc page we read ([SDK only]). */
  tags?: Tag[];
}

/** The documented ceiling of ids per DescribeTasks / DescribeImages / DeleteImages call. */
export const MAX_IDS_PER_CALL = MAX_IDS_PER_REQUEST;

export type { CallBounds } from "./wire";

abstract class RegionClient {
  constructor(
    protected readonly wire: WireClient,
    /** The region every request of this client is signed for. */
    readonly region: string,
    /** Cancels this client's requests (and their retries) when aborted. */
    readonly signal?: AbortSignal,
    /** The operation's deadline (on the session's clock) for every request of this client. */
    readonly deadline?: number,
  ) {}

  /** The same client, its requests cancelled by `signal` (and bounded by `deadline`). */
  withSignal(signal: AbortSignal | undefined, deadline: number | undefined = this.deadline): this {
    const Self = this.constructor as new (wire: WireClient, region: string, signal?: AbortSignal, deadline?: number) => this;
    return new Self(this.wire, this.region, signal, deadline);
  }

  /** The same client, its requests bounded by the operation's deadline. */
  withDeadline(deadline: number | undefined): this {
    return this.withSignal(this.signal, deadline);
  }

  protected call<T>(action: string, params: Params, idempotent: boolean, check: AnswerCheck<T>, bounds: CallBounds = {}): Promise<T> {
    return this.wire.call<T>(action, this.region, params, { idempotent, signal: this.signal, check, deadline: this.deadline, ...bounds });
  }

  /** Every page of a listing, with this client's signal and deadline. */
  protected paged<T>(action: string, params: Params, check: AnswerCheck<Page<T>>): Promise<T[]> {
    return pages(this.wire, this.region, action, params, check, { signal: this.signal, deadline: this.deadline });
  }

  /** What `action` says of each id, in one request shared with this account's concurrent calls in the region (`region-batcher.ts`). */
  protected batched<T>(action: BatchedAction<T>, ids: readonly string[], bounds: CallBounds = {}): Promise<Map<string, T>> {
    return batcherOf(this.wire).ask(this.region, action, ids, { signal: this.signal, deadline: this.deadline, ...bounds });
  }

  /** Images by id: the ones that exist (unknown ids are absent, whichever way the service says so). */
  async describeImages(imageIds: readonly string[], bounds?: CallBounds): Promise<ImageRecord[]> {
    return [...(await this.batched(describeImagesById, imageIds, bounds)).values()];
  }

  /** One image, or undefined when this region does not list it. */
  async describeImage(imageId: string, bounds?: CallBounds): Promise<ImageRecord | undefined> {
    return (await this.describeImages([imageId], bounds)).find((i) => i.ImageId === imageId);
  }
}

export class SourceRegionClient extends RegionClient {
  /** Starts a copy; returns the id of the new image in the destination region. Not idempotent: the
   * service has no client token, so a broken connection is never retried here (see start-copy.ts). */
  async copyImage(req: CopyImageRequest): Promise<string> {
    return this.call(
      "CopyImage",
      {
        ImageId: req.sourceImageId,
        DestinationRegion: req.destinationRegion,
        ImageName: req.imageName,
        Description: req.description,
        ProjectName: req.projectName,
        CopyImageTags: req.copyImageTags,
        Tags: req.tags && req.tags.length > 0 ? req.tags.map((t) => ({ Key: t.Key, Value: t.Value })) : undefined,
      },
      false,
      copyImageAnswer,
    );
  }
}

export class DestinationRegionClient extends RegionClient {
  /** Tasks for the given images (any number: batched by 100, all pages followed); tasks of other images are dropped. */
  async describeTasksForImages(imageIds: readonly string[], bounds?: CallBounds): Promise<TaskRecord[]> {
    return [...(await this.batched(describeTasksByImage, imageIds, bounds)).values()].flat();
  }

  /** Custom images of this account with exactly this name (one listing shared with concurrent lookups in the region). */
  async findImagesByName(imageName: string): Promise<ImageRecord[]> {
    return (await this.batched(describeImagesByName, [imageName])).get(imageName) ?? [];
  }

  /** Every custom image of this account in the region (for the 50-per-region quota). */
  async listCustomImages(): Promise<ImageRecord[]> {
    return this.paged("DescribeImages", { Visibility: "private" }, describeImagesAnswer(undefined, MAX_IDS_PER_CALL));
  }

  /** Changes name and/or description; an undefined field is left as it is, an empty description clears it. */
  async modifyImageAttribute(imageId: string, change: { imageName?: string; description?: string }): Promise<void> {
    await this.call("ModifyImageAttribute", { ImageId: imageId, ImageName: change.imageName, Description: change.description }, true, ignoredAnswer);
  }

  /**
   * Deletes one image (in one request shared with concurrent deletes that agree on the snapshots).
   * Returns the per-image error of `OperationDetails`, if any, as a VolcengineError (with the request
   * id of the call); undefined when the image was deleted. `DeleteBindedSnapshots` is always sent: its
   * documented default (true) and the doc's example (false) disagree (reference §4).
   */
  async deleteImage(imageId: string, deleteBindedSnapshots: boolean): Promise<VolcengineError | undefined> {
    return (await this.batched(deleteImages(deleteBindedSnapshots), [imageId])).get(imageId);
  }

  async tagResources(imageIds: readonly string[], tags: readonly Tag[]): Promise<void> {
    // At most 20 tags per call (reference §6).
    for (let i = 0; i < tags.length; i += 20) {
      await this.call(
        "TagResources",
        { ResourceType: "image", ResourceIds: [...imageIds], Tags: tags.slice(i, i + 20).map((t) => ({ ...t })) },
        true,
        ignoredAnswer,
      );
    }
  }

  async untagResources(imageIds: readonly string[], keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 20) {
      await this.call("UntagResources", { ResourceType: "image", ResourceIds: [...imageIds], TagKeys: keys.slice(i, i + 20) }, true, ignoredAnswer);
    }
  }
}
