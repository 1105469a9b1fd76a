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
import { VolcengineError } from "./errors";
import { WireClient, type Params } from "./wire";

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

/** The documented ceiling of ids per DescribeTasks / DescribeImages call. */
export const MAX_IDS_PER_CALL = 100;

abstract class RegionClient {
  constructor(
    protected readonly wire: WireClient,
    /** The region every request of this client is signed for. */
    readonly region: string,
    /** Cancels this client's requests (and their retries) when aborted. */
    readonly signal?: AbortSignal,
  ) {}

  /** The same client, its requests cancelled by `signal`. */
  withSignal(signal: AbortSignal | undefined): this {
    const Self = this.constructor as new (wire: WireClient, region: string, signal?: AbortSignal) => this;
    return new Self(this.wire, this.region, signal);
  }

  protected call<T>(action: string, params: Params, idempotent: boolean): Promise<T> {
    return this.wire.call<T>(action, this.region, params, { idempotent, signal: this.signal });
  }
}

export class SourceRegionClient extends RegionClient {
  /** Starts a copy; returns the id of the new image in the destination region. Not idempotent: the
   * service has no client token, so a broken connection is never retried here (see lifecycle). */
  async copyImage(req: CopyImageRequest): Promise<string> {
    const result = await this.call<{ ImageId?: string }>(
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
    );
    if (!result?.ImageId) {
      throw new VolcengineError({
        code: "InvalidResponse",
        action: "CopyImage",
        region: this.region,
        serviceMessage: "the answer had no Result.ImageId",
      });
    }
    return result.ImageId;
  }

  /** The source image, or undefined when this region does not list it. */
  async describeImage(imageId: string): Promise<ImageRecord | undefined> {
    const r = await this.call<{ Images?: ImageRecord[] }>("DescribeImages", { ImageIds: [imageId] }, true);
    return r?.Images?.find((i) => i.ImageId === imageId);
  }
}

export class DestinationRegionClient extends RegionClient {
  /** Tasks for the given images (any number: batched by 100, all pages followed). */
  async describeTasksForImages(imageIds: readonly string[]): Promise<TaskRecord[]> {
    const tasks: TaskRecord[] = [];
    for (let i = 0; i < imageIds.length; i += MAX_IDS_PER_CALL) {
      const batch = imageIds.slice(i, i + MAX_IDS_PER_CALL);
      let nextToken: string | undefined;
      do {
        const r = await this.call<{ Tasks?: TaskRecord[]; NextToken?: string }>(
          "DescribeTasks",
          { ResourceIds: batch, MaxResults: MAX_IDS_PER_CALL, NextToken: nextToken || undefined },
          true,
        );
        tasks.push(...(r?.Tasks ?? []));
        nextToken = r?.NextToken || undefined;
      } while (nextToken);
    }
    return tasks;
  }

  /** Images by id (unknown ids are simply absent: the API answers an empty list, [INFERRED] from tf). */
  async describeImages(imageIds: readonly string[]): Promise<ImageRecord[]> {
    const images: ImageRecord[] = [];
    for (let i = 0; i < imageIds.length; i += MAX_IDS_PER_CALL) {
      images.push(...(await this.pagedImages({ ImageIds: imageIds.slice(i, i + MAX_IDS_PER_CALL) })));
    }
    return images;
  }

  async describeImage(imageId: string): Promise<ImageRecord | undefined> {
    return (await this.describeImages([imageId])).find((i) => i.ImageId === imageId);
  }

  /** Custom images of this account with exactly this name. */
  async findImagesByName(imageName: string): Promise<ImageRecord[]> {
    const found = await this.pagedImages({ ImageName: imageName, Visibility: "private" });
    return found.filter((i) => i.ImageName === imageName);
  }

  /** Every custom image of this account in the region (for the 50-per-region quota). */
  async listCustomImages(): Promise<ImageRecord[]> {
    return this.pagedImages({ Visibility: "private" });
  }

  private async pagedImages(filter: Params): Promise<ImageRecord[]> {
    const images: ImageRecord[] = [];
    let nextToken: string | undefined;
    do {
      const r = await this.call<{ Images?: ImageRecord[]; NextToken?: string }>(
        "DescribeImages",
        { ...filter, MaxResults: MAX_IDS_PER_CALL, NextToken: nextToken || undefined },
        true,
      );
      images.push(...(r?.Images ?? []));
      nextToken = r?.NextToken || undefined;
    } while (nextToken);
    return images;
  }

  /** Changes name and/or description; an undefined field is left as it is, an empty description clears it. */
  async modifyImageAttribute(imageId: string, change: { imageName?: string; description?: string }): Promise<void> {
    await this.call("ModifyImageAttribute", { ImageId: imageId, ImageName: change.imageName, Description: change.description }, true);
  }

  /**
   * Deletes one image. Returns the per-image error of `OperationDetails`, if any, as a VolcengineError
   * (with the request id of the call); undefined when the image was deleted. `DeleteBindedSnapshots`
   * is always sent: its documented default (true) and the doc's example (false) disagree (reference §4).
   */
  async deleteImage(imageId: string, deleteBindedSnapshots: boolean): Promise<VolcengineError | undefined> {
    const { result, requestId } = await this.wire.callWithMeta<{
      OperationDetails?: { ImageId?: string; Error?: { Code?: string; Message?: string } | null }[];
    }>("DeleteImages", this.region, { ImageIds: [imageId], DeleteBindedSnapshots: deleteBindedSnapshots }, { idempotent: true, signal: this.signal });
    // Whether a deleted image appears in OperationDetails with no Error, or not at all, is
    // [UNCONFIRMED]; both read as success here.
    const detail = result?.OperationDetails?.find((d) => d.ImageId === imageId && d.Error?.Code);
    if (!detail?.Error?.Code) return undefined;
    return new VolcengineError({
      code: detail.Error.Code,
      action: "DeleteImages",
      region: this.region,
      serviceMessage: detail.Error.Message,
      requestId,
    });
  }

  async tagResources(imageIds: readonly string[], tags: readonly Tag[]): Promise<void> {
    // At most 20 tags per call (reference §6).
    for (let i = 0; i < tags.length; i += 20) {
      await this.call("TagResources", { ResourceType: "image", ResourceIds: [...imageIds], Tags: tags.slice(i, i + 20).map((t) => ({ ...t })) }, true);
    }
  }

  async untagResources(imageIds: readonly string[], keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 20) {
      await this.call("UntagResources", { ResourceType: "image", ResourceIds: [...imageIds], TagKeys: keys.slice(i, i + 20) }, true);
    }
  }
}
