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
  requestId: string;
  signatureVerified: boolean;
}

export type FaultKind =
  | { kind: "throttle" }
  | { kind: "internalError" }
  | { kind: "resourceLocked" }
  | { kind: "latency"; ms: number }
  | { kind: "drop" }
  | { kind: "rateLimit"; perSecond: number; burst: number }
  | { kind: "taskInvisible"; ms: number }
  | { kind: "copyFails"; atPercent?: number }
  | { kind: "copyDuration"; ms: number };

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
}
