// Snapshots behind custom images: shown by DescribeImages, made anew by a copy, deleted or leaked by
// DeleteImages (DeleteBindedSnapshots, and the world switch for its default).
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_WORLD, startEmulator, type EmulatorHandle } from "../../../emulator";
import { control, ok, seedPrivate } from "../helpers";

const SNAP_ID = /^snap-[a-z0-9]{20}$/;

describe("snapshots", () => {
  let emu: EmulatorHandle;
  before(async () => {
    emu = await startEmulator({ clockSpeed: 0.001, copyDurationMs: 60_000 });
  });
  after(() => emu.stop());
  beforeEach(() => emu.setWorld({ ...DEFAULT_WORLD }));

  const describeOne = async (region: string, id: string) => (await ok(emu, region, "DescribeImages", { "ImageIds.1": id })).Images[0];
  const bound = (region: string, id: string) => emu.snapshots(region).filter((s) => s.ImageId === id);
  const copyDone = async (src: string): Promise<string> => {
    const { ImageId } = await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-shanghai", ImageName: "copy" });
    emu.advanceClock(60_000);
    return ImageId;
  };

  test("a seeded custom image has a system-disk snapshot (and a data-disk one when asked); public images none", async () => {
    const plain = seedPrivate(emu, "cn-beijing", { size: 40 });
    const img = await describeOne("cn-beijing", plain);
    assert.equal(img.Snapshots.length, 1);
    assert.match(img.Snapshots[0].SnapshotId, SNAP_ID);
    assert.deepEqual({ ...img.Snapshots[0], SnapshotId: "" }, { SnapshotId: "", Size: 40, VolumeKind: "system" });
    const withData = seedPrivate(emu, "cn-beijing", { size: 40, dataDiskSize: 100 });
    assert.deepEqual(
      (await describeOne("cn-beijing", withData)).Snapshots.map((s: any) => [s.VolumeKind, s.Size]),
      [
        ["system", 40],
        ["data", 100],
      ],
    );
    const pub = (await ok(emu, "cn-beijing", "DescribeImages", { Visibility: "public" })).Images;
    assert.ok(pub.length > 0 && pub.every((i: any) => i.Snapshots.length === 0));
    const listed = emu.snapshots("cn-beijing").find((s) => s.SnapshotId === img.Snapshots[0].SnapshotId)!;
    assert.deepEqual(
      { ...listed, CreatedAt: "" },
      { Region: "cn-beijing", SnapshotId: img.Snapshots[0].SnapshotId, Size: 40, VolumeKind: "system", ImageId: plain, CreatedAt: "" },
    );
  });

  test("seed snapshots can be given explicitly", async () => {
    const id = seedPrivate(emu, "cn-guangzhou", { snapshots: [{ snapshotId: "snap-givenbyseed00000001", size: 20, volumeKind: "system" }] });
    assert.deepEqual((await describeOne("cn-guangzhou", id)).Snapshots, [{ SnapshotId: "snap-givenbyseed00000001", Size: 20, VolumeKind: "system" }]);
  });

  test("a copy makes new snapshots in the destination region, owned by the new image; the source keeps its own", async () => {
    const src = seedPrivate(emu, "cn-beijing", { size: 50, dataDiskSize: 10 });
    const srcSnaps = bound("cn-beijing", src).map((s) => s.SnapshotId);
    const copy = await copyDone(src);
    const snaps = bound("cn-shanghai", copy);
    assert.deepEqual(
      snaps.map((s) => [s.VolumeKind, s.Size]),
      [
        ["system", 50],
        ["data", 10],
      ],
    );
    assert.ok(snaps.every((s) => SNAP_ID.test(s.SnapshotId) && !srcSnaps.includes(s.SnapshotId)));
    assert.deepEqual(
      (await describeOne("cn-shanghai", copy)).Snapshots.map((s: any) => s.SnapshotId),
      snaps.map((s) => s.SnapshotId),
    );
    assert.deepEqual(
      bound("cn-beijing", src).map((s) => s.SnapshotId),
      srcSnaps,
    );
  });

  const del = (region: string, id: string, extra: Record<string, string | boolean> = {}) =>
    ok(emu, region, "DeleteImages", { "ImageIds.1": id, ...extra });
  const snapIdsOf = (region: string, id: string) => bound(region, id).map((s) => s.SnapshotId);
  const inStore = (region: string, ids: string[]) => emu.snapshots(region).filter((s) => ids.includes(s.SnapshotId));

  test("DeleteBindedSnapshots=true deletes the image's snapshots", async () => {
    const id = seedPrivate(emu, "cn-beijing", { dataDiskSize: 5 });
    const snaps = snapIdsOf("cn-beijing", id);
    await del("cn-beijing", id, { DeleteBindedSnapshots: true });
    assert.deepEqual(inStore("cn-beijing", snaps), []);
  });

  test("DeleteBindedSnapshots=false keeps them in the region, bound to no image (a leak)", async () => {
    const id = await copyDone(seedPrivate(emu));
    const snaps = snapIdsOf("cn-shanghai", id);
    await del("cn-shanghai", id, { DeleteBindedSnapshots: false });
    assert.deepEqual(
      inStore("cn-shanghai", snaps).map((s) => [s.SnapshotId, s.ImageId]),
      snaps.map((s) => [s, null]),
    );
  });

  test("absent parameter: deleted in the default world (deleteBindedSnapshotsDefault true), kept in the other", async () => {
    const a = seedPrivate(emu);
    const aSnaps = snapIdsOf("cn-beijing", a);
    await del("cn-beijing", a);
    assert.deepEqual(inStore("cn-beijing", aSnaps), []);
    emu.setWorld({ deleteBindedSnapshotsDefault: false });
    const b = seedPrivate(emu);
    const bSnaps = snapIdsOf("cn-beijing", b);
    await del("cn-beijing", b);
    assert.deepEqual(
      inStore("cn-beijing", bSnaps).map((s) => s.ImageId),
      [null],
    );
    // An explicit true still wins over the world's default.
    const c = seedPrivate(emu);
    const cSnaps = snapIdsOf("cn-beijing", c);
    await del("cn-beijing", c, { DeleteBindedSnapshots: true });
    assert.deepEqual(inStore("cn-beijing", cSnaps), []);
  });

  test("a failed delete leaves the snapshots alone", async () => {
    const src = seedPrivate(emu);
    const { ImageId } = await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-shanghai", ImageName: "copying" });
    const snaps = snapIdsOf("cn-shanghai", ImageId);
    const r = await del("cn-shanghai", ImageId, { DeleteBindedSnapshots: true });
    assert.equal(r.OperationDetails[0].Error.Code, "OperationDenied.ImageIsCopying");
    assert.deepEqual(snapIdsOf("cn-shanghai", ImageId), snaps);
  });

  test("an out-of-band delete follows the world's default", async () => {
    const a = seedPrivate(emu, "cn-hongkong");
    const aSnaps = snapIdsOf("cn-hongkong", a);
    emu.deleteImageOutOfBand("cn-hongkong", a);
    assert.deepEqual(inStore("cn-hongkong", aSnaps), []);
    emu.setWorld({ deleteBindedSnapshotsDefault: false });
    const b = seedPrivate(emu, "cn-hongkong");
    const bSnaps = snapIdsOf("cn-hongkong", b);
    emu.deleteImageOutOfBand("cn-hongkong", b);
    assert.deepEqual(
      inStore("cn-hongkong", bSnaps).map((s) => s.ImageId),
      [null],
    );
  });

  test("control endpoint: GET /_emulator/snapshots[?region=]", async () => {
    const id = seedPrivate(emu, "ap-southeast-1");
    const r = await control(emu, "GET", "/snapshots?region=ap-southeast-1");
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, emu.snapshots("ap-southeast-1"));
    assert.ok(r.json.some((s: any) => s.ImageId === id));
    const all = (await control(emu, "GET", "/snapshots")).json;
    assert.equal(all.length, emu.snapshots().length);
    assert.ok(new Set(all.map((s: any) => s.Region)).size > 1);
    assert.equal((await control(emu, "GET", "/snapshots?region=nowhere")).status, 400);
  });
});
