// Public types of the emulator. Re-exported by emulator/index.ts; other people's code depends on
// these shapes, so change them only together with everybody who uses them.

export interface EmulatorAccount {
  accessKey: string;
  secretKey: string;
  /** When set, every request signed with this access key must carry X-Security-Token equal to it (and sign it). */
  sessionToken?: string;
  accountId?: string;
}

export interface SeedImage {
  region: string;
  imageId?: string;
  imageName: string;
  description?: string;
  status?: "available" | "creating" | "error";
  /**
   * "private": a custom image of `ownerAccountId` (default: the first account).
   * "public": a platform image, visible to everybody.
   * "shared": a custom image of another account (`ownerAccountId`, default a foreign id) shared with
   *           every emulator account.
   */
  visibility?: "private" | "public" | "shared";
  size?: number;
  osName?: string;
  osType?: string;
  platform?: string;
  platformVersion?: string;
  architecture?: string;
  bootMode?: string;
  projectName?: string;
  tags?: { key: string; value: string }[];
  /** A private image its owner has shared with other accounts (DeleteImages refuses it with InvalidImage.Shared). */
  shared?: boolean;
  ownerAccountId?: string;
  /**
   * The image's snapshots. Default: one system-disk snapshot of `size` GiB, plus a data-disk snapshot
   * when `dataDiskSize` is given. Public images have none.
   */
  snapshots?: { snapshotId?: string; size: number; volumeKind: "system" | "data" }[];
  /** Adds a data-disk snapshot of this many GiB to the default snapshots. */
  dataDiskSize?: number;
}

export interface Seed {
  accounts?: EmulatorAccount[];
  regions?: string[];
  copyUnsupportedRegions?: string[];
  projects?: string[];
  images?: SeedImage[];
}

export interface EmulatorOptions {
  host?: string;
  port?: number;
  seed?: Seed;
  copyDurationMs?: number;
  clockSpeed?: number;
  verifySignatures?: boolean;
  maxImagesPerRegion?: number;
  /** Extra (not in the original brief): accept /_emulator/ control requests from non-loopback peers. Default false. */
  controlFromAnyHost?: boolean;
  /** The answers to the questions the docs leave open; unnamed switches keep their defaults (DEFAULT_WORLD). */
  world?: Partial<World>;
  /** Faults active from the start (the CLI's `--fault`), checked before anything listens. */
  faults?: Fault[];
}

export type ProgressProfile = "linear" | "step" | "staircase" | "stall" | "front-loaded";

/**
 * One reading of the Volcengine API for everything the docs leave open. See emulator/README.md
 * ("Worlds") for the doc text behind each switch.
 */
export interface World {
  /** Shape of a copy task's Process over its duration. Every profile ends (Succeeded, 100) at the same moment. */
  progressProfile: ProgressProfile;
  /** 0 = none; in [0, 1): how much each tenth of a copy may run faster or slower (seeded, reproducible). */
  progressJitter: number;
  /** Seed of the jitter; task n of the emulator uses progressSeed + n. */
  progressSeed: number;
  /** CopyImage `Tags.N`: put on the new image, or ignored (the doc pages do not list the parameter). */
  tagsOnCopyImage: "applied" | "ignored";
  /** Actions the caller is not authorised to call ("*" = all). */
  deniedActions: string[];
  /** How a denied action is answered: AccessDenied (100013) or LackPolicy (100012), both HTTP 403. */
  denial: "AccessDenied" | "LackPolicy";
  /** DeleteImages without DeleteBindedSnapshots: delete the image's snapshots (true) or keep them (false). */
  deleteBindedSnapshotsDefault: boolean;
  /** DeleteImages OperationDetails: only failures ("omitted") or also each success as {ImageId} ("listed"). */
  deleteImagesSuccesses: "omitted" | "listed";
  /** DescribeImages with an ImageIds.N the caller cannot see: no entry ("empty") or InvalidImage.NotFound ("notFound"). */
  describeImagesUnknownId: "empty" | "notFound";
}

/** A snapshot in a region's snapshot store; `ImageId` is null once its image was deleted without it. */
export interface EmulatorSnapshot {
  Region: string;
  SnapshotId: string;
  Size: number;
  VolumeKind: "system" | "data";
  ImageId: string | null;
  CreatedAt: string;
}

export interface RequestLogEntry {
  seq: number;
  time: string;
  method: string;
  action: string;
  version: string;
  region: string;
  accessKey?: string;
  params: Record<string, string>;
  status: number;
  errorCode?: string;
  /** The fault that shaped the answer, if any (e.g. "htmlBadGateway", "hang"). */
  fault?: string;
  requestId: string;
  signatureVerified: boolean;
}

export type FaultKind =
  // Any error code for the matched requests: `status` and `message` default to the documented ones
  // (400 and a generic sentence for an undocumented code). With `imageId`: only requests naming that
  // image; for DeleteImages, that image's entry in OperationDetails while the others are deleted.
  | { kind: "error"; code: string; status?: number; message?: string; imageId?: string }
  | { kind: "throttle" }
  | { kind: "internalError" }
  | { kind: "resourceLocked" }
  | { kind: "latency"; ms: number }
  | { kind: "drop" }
  | { kind: "rateLimit"; perSecond: number; burst: number }
  | { kind: "taskInvisible"; ms: number }
  | { kind: "copyFails"; atPercent?: number }
  | { kind: "copyDuration"; ms: number }
  // A gateway or proxy answering badly. `actionRuns` (htmlBadGateway, hang): whether the action ran
  // behind the bad answer (default false). The other four always run the action and spoil its answer.
  | { kind: "htmlBadGateway"; actionRuns?: boolean }
  | { kind: "truncatedJson" }
  | { kind: "missingResult" }
  | { kind: "wrongTypes"; values?: Record<string, unknown> }
  | { kind: "oversizedPage"; entries?: number }
  | { kind: "hang"; actionRuns?: boolean };

export type Fault = FaultKind & { action?: string; region?: string; count?: number };

/**
 * An image as the emulator holds it, in the shape DescribeImages returns it (PascalCase keys), as seen by
 * the image's owner (public images: as anybody sees them), plus `Region`, `Shared` and `CopyTaskId`.
 */
export interface EmulatorImage {
  Region: string;
  ImageId: string;
  ImageName: string;
  Description: string;
  Status: string;
  Size: number;
  VirtualSize: number;
  OsName: string;
  OsType: string;
  Platform: string;
  PlatformVersion: string;
  Architecture: string;
  BootMode: string;
  Visibility: string;
  ShareStatus: string;
  ProjectName: string;
  CreatedAt: string;
  UpdatedAt: string;
  IsSupportCloudInit: boolean;
  IsLTS: boolean;
  IsInstallRunCommandAgent: boolean;
  ImageOwnerId: string;
  Kernel: string;
  LicenseType: string;
  ProductCode: string;
  Tags: { Key: string; Value: string }[];
  Snapshots: { SnapshotId: string; Size: number; VolumeKind: string }[];
  /** Emulator-only: whether the owner shared the image with other accounts. */
  Shared: boolean;
  /** Emulator-only: the CopyImage task that is creating / created this image, if any. */
  CopyTaskId?: string;
}

/** A task in the shape DescribeTasks returns it, plus emulator-only fields. */
export interface EmulatorTask {
  Region: string;
  Id: string;
  ResourceId: string;
  Type: string;
  Status: "Pending" | "Running" | "Succeeded" | "Failed";
  Process: number;
  CreatedAt: string;
  UpdatedAt: string;
  EndAt: string;
  /** Emulator-only. */
  AccountId: string;
  SourceRegion: string;
  SourceImageId: string;
  /** Emulator-only: when the task ends (or ended), in simulated epoch ms. The API's times have whole
   * seconds only; benchmarks need the exact moment. */
  EndsAtMs: number;
  /** Emulator-only: true while a taskInvisible fault hides the task from DescribeTasks. */
  Invisible: boolean;
}

export interface EmulatorHandle {
  url: string;
  host: string;
  port: number;
  stop(): Promise<void>;
  addFault(f: Fault): string;
  removeFault(id: string): void;
  clearFaults(): void;
  log(): RequestLogEntry[];
  clearLog(): void;
  images(region: string): EmulatorImage[];
  tasks(region: string): EmulatorTask[];
  seedImage(img: SeedImage): string;
  deleteImageOutOfBand(region: string, imageId: string): boolean;
  now(): Date;
  /** Moves the simulated clock forward by `ms` simulated ms (tasks progress accordingly); returns the new time. */
  advanceClock(ms: number): Date;
  /** The current world (a copy). */
  world(): World;
  /** Changes the named switches at run time; returns the whole world. Throws on an unknown switch or value. */
  setWorld(patch: Partial<World>): World;
  /** Every snapshot in `region` (all regions when omitted), bound or leaked, in creation order. */
  snapshots(region?: string): EmulatorSnapshot[];
}
