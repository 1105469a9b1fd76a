// In-memory state of the emulated ECS image service: regions, accounts, images, copy tasks and the
// simulated clock. Copy progress is derived lazily from the simulated clock (no timers).
import { formatTime, randomId } from "./ids";
import { SnapshotStore } from "./snapshots";
import type { EmulatorAccount, EmulatorImage, EmulatorTask, Seed, SeedImage } from "../types";
import { publicImages, seedImageRecord, seedSnapshots } from "./seed-images";
import { type TaskRec, taskView } from "./tasks";

// Kept importable from here: tests and benchmarks import them from the model.
export { formatTime, randomId } from "./ids";
export { pendingMs } from "./progress";
export { DEFAULT_FAIL_AT_PERCENT, type TaskRec, type TaskView, taskView } from "./tasks";

export const DEFAULT_ACCOUNT: EmulatorAccount = Object.freeze({
  accessKey: "AKLTemulatorDefaultAccessKey",
  secretKey: "emulatorDefaultSecretKey==",
  accountId: "2100000001",
}) as EmulatorAccount;

export const DEFAULT_REGIONS = ["cn-beijing", "cn-shanghai", "cn-guangzhou", "cn-hongkong", "ap-southeast-1", "ap-southeast-3"];
/** Regions that exist but where CopyImage is refused (InvalidRegionForCopyImage.UnSupported). */
export const DEFAULT_COPY_UNSUPPORTED_REGIONS = ["cn-beijing-autodriving", "cn-shanghai-autodriving"];
export const DEFAULT_PROJECTS = ["default"];

export interface ImageRec {
  region: string;
  imageId: string;
  imageName: string;
  description: string;
  status: "available" | "creating" | "error";
  /** "public" or "private"; what a caller sees as "shared" is derived from owner + shared. */
  kind: "public" | "private";
  shared: boolean;
  ownerAccountId: string;
  size: number;
  virtualSize: number;
  osName: string;
  osType: string;
  platform: string;
  platformVersion: string;
  architecture: string;
  bootMode: string;
  projectName: string;
  isSupportCloudInit: boolean;
  isLTS: boolean;
  kernel: string;
  createdAt: number; // simulated ms
  updatedAt: number;
  tags: { key: string; value: string }[];
  copyTaskId?: string;
}

export interface Account {
  accessKey: string;
  secretKey: string;
  sessionToken?: string;
  accountId: string;
}

export class Model {
  readonly regions: Set<string>;
  readonly copyUnsupported: Set<string>;
  readonly projects: Set<string>;
  readonly accounts: Account[];
  /** region -> imageId -> image (Map keeps insertion order, which is the listing order). */
  readonly images = new Map<string, Map<string, ImageRec>>();
  readonly tasks = new Map<string, TaskRec>();
  readonly snapshots = new SnapshotStore();
  private readonly realStart = Date.now();
  private readonly simStart = Date.now();
  /** Simulated ms added by advanceClock, so tests can jump to a moment instead of waiting for it. */
  private skippedMs = 0;

  constructor(
    seed: Seed,
    readonly clockSpeed: number,
  ) {
    const regions = seed.regions ?? DEFAULT_REGIONS;
    const unsupported = seed.copyUnsupportedRegions ?? DEFAULT_COPY_UNSUPPORTED_REGIONS;
    this.regions = new Set([...regions, ...unsupported]);
    this.copyUnsupported = new Set(unsupported);
    this.projects = new Set([...DEFAULT_PROJECTS, ...(seed.projects ?? [])]);
    const accounts = seed.accounts && seed.accounts.length > 0 ? seed.accounts : [DEFAULT_ACCOUNT];
    this.accounts = accounts.map((a, i) => ({
      accessKey: a.accessKey,
      secretKey: a.secretKey,
      ...(a.sessionToken !== undefined ? { sessionToken: a.sessionToken } : {}),
      accountId: a.accountId ?? String(2100000001 + i),
    }));
    for (const r of this.regions) this.images.set(r, new Map());
    // Default seed: a few public images in every region, nothing private.
    const t0 = this.now() - 90 * 24 * 3600_000;
    for (const r of this.regions) for (const img of publicImages(r, t0)) this.images.get(r)!.set(img.imageId, img);
    for (const img of seed.images ?? []) this.seedImage(img);
  }

  /** The simulated clock: starts at real time and runs clockSpeed times faster. */
  now(): number {
    return this.simStart + this.skippedMs + (Date.now() - this.realStart) * this.clockSpeed;
  }

  /** Moves the simulated clock forward (never back: tasks and times must not run backwards). */
  advanceClock(ms: number): void {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new Error("advanceClock: ms must be a number >= 0");
    this.skippedMs += ms;
  }

  accountByKey(ak: string): Account | undefined {
    return this.accounts.find((a) => a.accessKey === ak);
  }

  seedImage(s: SeedImage): string {
    if (!s || typeof s !== "object") throw new Error("seed image must be an object");
    if (!this.regions.has(s.region)) throw new Error(`unknown region ${JSON.stringify(s.region)}`);
    if (typeof s.imageName !== "string" || s.imageName === "") throw new Error("seed image needs imageName");
    const id = s.imageId ?? randomId("image-");
    for (const m of this.images.values()) if (m.has(id)) throw new Error(`image ${id} already exists`);
    const now = this.now();
    const img = seedImageRecord(s, id, this.accounts[0]!.accountId, now);
    this.images.get(s.region)!.set(id, img);
    // Every custom image stands on snapshots; platform images are not the caller's, so they show none.
    if (img.kind === "public") return id;
    this.snapshots.create(s.region, id, seedSnapshots(s, img.size), now);
    return id;
  }

  /** Applies finished copies to their images (lazy: called before every read or write). */
  settle(): void {
    const now = this.now();
    for (const t of this.tasks.values()) {
      const img = this.images.get(t.region)?.get(t.resourceId);
      if (!img || img.status !== "creating" || img.copyTaskId !== t.id) continue;
      const v = taskView(t, now);
      if (v.status === "Succeeded") {
        img.status = "available";
        img.updatedAt = v.endAt!;
      } else if (v.status === "Failed") {
        img.status = "error";
        img.updatedAt = v.endAt!;
      }
    }
  }

  /** How a caller sees an image's visibility, or undefined if the caller cannot see it at all. */
  visibilityFor(img: ImageRec, accountId: string): "public" | "private" | "shared" | undefined {
    if (img.kind === "public") return "public";
    if (img.ownerAccountId === accountId) return "private";
    if (img.shared) return "shared";
    return undefined;
  }

  imageView(img: ImageRec, accountId?: string): EmulatorImage {
    const vis = accountId === undefined ? (img.kind === "public" ? "public" : "private") : this.visibilityFor(img, accountId)!;
    return {
      Region: img.region,
      ImageId: img.imageId,
      ImageName: img.imageName,
      Description: img.description,
      Status: img.status,
      Size: img.size,
      VirtualSize: img.virtualSize,
      OsName: img.osName,
      OsType: img.osType,
      Platform: img.platform,
      PlatformVersion: img.platformVersion,
      Architecture: img.architecture,
      BootMode: img.bootMode,
      Visibility: vis,
      // [UNCONFIRMED] ShareStatus values are not documented; "Shared" / "" chosen.
      ShareStatus: img.shared ? "Shared" : "",
      ProjectName: img.projectName,
      CreatedAt: formatTime(img.createdAt),
      UpdatedAt: formatTime(img.updatedAt),
      IsSupportCloudInit: img.isSupportCloudInit,
      IsLTS: img.isLTS,
      IsInstallRunCommandAgent: false,
      ImageOwnerId: img.ownerAccountId,
      Kernel: img.kernel,
      LicenseType: "",
      ProductCode: "",
      Tags: img.tags.map((t) => ({ Key: t.key, Value: t.value })),
      Snapshots: this.snapshots.ofImage(img.region, img.imageId).map((x) => ({ SnapshotId: x.snapshotId, Size: x.size, VolumeKind: x.volumeKind })),
      Shared: img.shared,
      ...(img.copyTaskId !== undefined ? { CopyTaskId: img.copyTaskId } : {}),
    };
  }

  taskViewFull(t: TaskRec): EmulatorTask {
    const v = taskView(t, this.now());
    return {
      Region: t.region,
      Id: t.id,
      ResourceId: t.resourceId,
      Type: "CopyImage",
      Status: v.status,
      Process: v.process,
      CreatedAt: formatTime(t.createdAt),
      UpdatedAt: formatTime(v.updatedAt),
      // [INFERRED] EndAt is "" until the task has finished.
      EndAt: v.endAt === undefined ? "" : formatTime(v.endAt),
      EndsAtMs: v.endAt ?? t.createdAt + Math.max(0, t.durationMs),
      AccountId: t.accountId,
      SourceRegion: t.sourceRegion,
      SourceImageId: t.sourceImageId,
      Invisible: t.invisibleUntilReal > Date.now(),
    };
  }

  /**
   * Deletes an image as if someone did it in the console. A copy still running for it fails. [INFERRED]
   * Its snapshots go with it or stay, as DeleteImages without DeleteBindedSnapshots would do.
   */
  deleteOutOfBand(region: string, imageId: string, deleteSnapshots: boolean): boolean {
    this.settle();
    const m = this.images.get(region);
    const img = m?.get(imageId);
    if (!m || !img) return false;
    if (img.status === "creating" && img.copyTaskId) {
      const t = this.tasks.get(img.copyTaskId);
      if (t && t.abortedAt === undefined) t.abortedAt = this.now();
    }
    m.delete(imageId);
    this.snapshots.releaseImage(region, imageId, deleteSnapshots);
    return true;
  }
}
