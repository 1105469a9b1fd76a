// Snapshots behind custom images. An image is a set of disk snapshots (DescribeImages `Snapshots`);
// they live in the region's snapshot store, and DeleteImages removes them only when asked
// (DeleteBindedSnapshots). Snapshots left behind keep costing money, so tests need to see them.
import { randomId } from "./ids";
import type { EmulatorSnapshot } from "../types";

export interface SnapshotRec {
  snapshotId: string;
  region: string;
  size: number; // GiB
  volumeKind: "system" | "data";
  /** The image the snapshot belongs to; undefined once that image was deleted without its snapshots. */
  imageId?: string;
  createdAt: number; // simulated ms
}

export interface SnapshotSpec {
  snapshotId?: string;
  size: number;
  volumeKind: "system" | "data";
}

export class SnapshotStore {
  /** Every snapshot of every region, in creation order (Map keeps insertion order). */
  private readonly all = new Map<string, SnapshotRec>();

  /** Creates snapshots for `imageId` in `region`; ids follow the `snap-` + 20 characters pattern. [INFERRED] */
  create(region: string, imageId: string, specs: SnapshotSpec[], now: number): void {
    for (const s of specs) {
      const id = s.snapshotId ?? randomId("snap-");
      if (this.all.has(id)) throw new Error(`snapshot ${id} already exists`);
      this.all.set(id, { snapshotId: id, region, size: s.size, volumeKind: s.volumeKind, imageId, createdAt: now });
    }
  }

  /** The snapshots bound to an image, system disk first. */
  ofImage(region: string, imageId: string): SnapshotRec[] {
    const list = [...this.all.values()].filter((s) => s.region === region && s.imageId === imageId);
    return list.sort((a, b) => (a.volumeKind === b.volumeKind ? 0 : a.volumeKind === "system" ? -1 : 1));
  }

  /** What happens to an image's snapshots when the image goes: deleted with it, or left unbound (leaked). */
  releaseImage(region: string, imageId: string, deleteSnapshots: boolean): void {
    for (const s of this.ofImage(region, imageId)) {
      if (deleteSnapshots) this.all.delete(s.snapshotId);
      else delete s.imageId;
    }
  }

  list(region?: string): SnapshotRec[] {
    return [...this.all.values()].filter((s) => region === undefined || s.region === region);
  }
}

export function snapshotView(s: SnapshotRec, formatTime: (ms: number) => string): EmulatorSnapshot {
  return {
    Region: s.region,
    SnapshotId: s.snapshotId,
    Size: s.size,
    VolumeKind: s.volumeKind,
    ImageId: s.imageId ?? null,
    CreatedAt: formatTime(s.createdAt),
  };
}
