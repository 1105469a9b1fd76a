// The images the emulator starts with: a few platform (public) images in every region, and the images
// a seed file names, each filled in with the defaults of a plain custom image, with the snapshots it
// stands on. Apart from store.ts because it is data and defaults, not the model's behaviour (the
// clock, copies, views, deletion): the model checks a seed image and stores what this makes.
import { stableId } from "./ids";
import type { SnapshotSpec } from "./snapshots";
import type { SeedImage } from "../types";
import type { ImageRec } from "./store";

/** Owner id used for "shared" seed images that name no owner: an account outside the emulator. */
export const FOREIGN_ACCOUNT_ID = "2199999999";

interface PublicTemplate {
  name: string;
  osName: string;
  osType: string;
  platform: string;
  platformVersion: string;
  architecture: string;
  bootMode: string;
  size: number;
  kernel: string;
}

const PUBLIC_TEMPLATES: PublicTemplate[] = [
  {
    name: "Ubuntu 22.04 64 bit",
    osName: "Ubuntu 22.04 64 bit",
    osType: "Linux",
    platform: "Ubuntu",
    platformVersion: "22.04",
    architecture: "amd64",
    bootMode: "UEFI",
    size: 40,
    kernel: "5.15",
  },
  {
    name: "Debian 12 64 bit",
    osName: "Debian 12 64 bit",
    osType: "Linux",
    platform: "Debian",
    platformVersion: "12",
    architecture: "amd64",
    bootMode: "UEFI",
    size: 40,
    kernel: "6.1",
  },
  {
    name: "CentOS 7.9 64 bit",
    osName: "CentOS 7.9 64 bit",
    osType: "Linux",
    platform: "CentOS",
    platformVersion: "7.9",
    architecture: "amd64",
    bootMode: "BIOS",
    size: 40,
    kernel: "3.10",
  },
  {
    name: "Windows Server 2022 Datacenter 64 bit",
    osName: "Windows Server 2022 Datacenter 64 bit",
    osType: "Windows",
    platform: "Windows",
    platformVersion: "2022",
    architecture: "amd64",
    bootMode: "BIOS",
    size: 40,
    kernel: "",
  },
];

/** The platform images of one region, created at `at` (simulated ms). */
export function publicImages(region: string, at: number): ImageRec[] {
  return PUBLIC_TEMPLATES.map((tpl) => {
    const id = stableId("image-", `${region}/${tpl.name}`);
    return {
      region,
      imageId: id,
      imageName: tpl.name,
      description: `${tpl.name} public image`,
      status: "available",
      kind: "public",
      shared: false,
      ownerAccountId: "",
      size: tpl.size,
      virtualSize: tpl.size * 1024 ** 3,
      osName: tpl.osName,
      osType: tpl.osType,
      platform: tpl.platform,
      platformVersion: tpl.platformVersion,
      architecture: tpl.architecture,
      bootMode: tpl.bootMode,
      projectName: "default",
      isSupportCloudInit: tpl.osType === "Linux",
      isLTS: true,
      kernel: tpl.kernel,
      createdAt: at,
      updatedAt: at,
      tags: [],
    };
  });
}

/** The record of a seed image (already checked by the model); `defaultOwner` owns a private one that names no owner. */
export function seedImageRecord(s: SeedImage, id: string, defaultOwner: string, now: number): ImageRec {
  const visibility = s.visibility ?? "private";
  const owner =
    visibility === "public"
      ? (s.ownerAccountId ?? "")
      : visibility === "shared"
        ? (s.ownerAccountId ?? FOREIGN_ACCOUNT_ID)
        : (s.ownerAccountId ?? defaultOwner);
  const size = s.size ?? 40;
  const osType = s.osType ?? "Linux";
  return {
    region: s.region,
    imageId: id,
    imageName: s.imageName,
    description: s.description ?? "",
    status: s.status ?? "available",
    kind: visibility === "public" ? "public" : "private",
    shared: visibility === "shared" || s.shared === true,
    ownerAccountId: owner,
    size,
    virtualSize: size * 1024 ** 3,
    osName: s.osName ?? "Ubuntu 22.04 64 bit",
    osType,
    platform: s.platform ?? "Ubuntu",
    platformVersion: s.platformVersion ?? "22.04",
    architecture: s.architecture ?? "amd64",
    bootMode: s.bootMode ?? "UEFI",
    projectName: s.projectName ?? "default",
    isSupportCloudInit: osType === "Linux",
    isLTS: false,
    kernel: "",
    createdAt: now,
    updatedAt: now,
    tags: (s.tags ?? []).map((t) => ({ key: t.key, value: t.value })),
  };
}

/** The snapshots a custom seed image stands on: the seed's own, or a system disk of the image's size (and a data disk when given). */
export function seedSnapshots(s: SeedImage, size: number): SnapshotSpec[] {
  if (s.snapshots) {
    for (const x of s.snapshots) {
      if (typeof x?.size !== "number" || (x.volumeKind !== "system" && x.volumeKind !== "data"))
        throw new Error("seed snapshots need a size and volumeKind system or data");
    }
    return s.snapshots.map((x) => ({ ...x }));
  }
  const specs: SnapshotSpec[] = [{ size, volumeKind: "system" }];
  if (s.dataDiskSize !== undefined) specs.push({ size: s.dataDiskSize, volumeKind: "data" });
  return specs;
}
