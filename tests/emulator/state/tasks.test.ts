// DescribeTasks and the copy task life cycle on a fast simulated clock.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "../../../emulator";
import { pendingMs, type TaskRec, taskView } from "../../../emulator/state/store";
import { errorOf, ok, seedPrivate, sleep } from "../helpers";

describe("task progress (pure function of the simulated clock)", () => {
  const t: TaskRec = {
    id: "t-x",
    region: "r",
    accountId: "a",
    resourceId: "i",
    sourceRegion: "s",
    sourceImageId: "j",
    createdAt: 0,
    durationMs: 1_200_000,
    invisibleUntilReal: 0,
  };
  test("Pending, then Running with rising integer Process, then Succeeded at the duration", () => {
    const p = pendingMs(t.durationMs);
    assert.equal(p, 30_000);
    assert.deepEqual(taskView(t, 0), { status: "Pending", process: 0, updatedAt: 0 });
    assert.equal(taskView(t, p - 1).status, "Pending");
    const mid = taskView(t, 615_000);
    assert.equal(mid.status, "Running");
    assert.equal(mid.process, 50);
    assert.ok(Number.isInteger(taskView(t, 700_001).process));
    assert.equal(taskView(t, 1_199_999).process, 99);
    assert.deepEqual(taskView(t, 1_200_000), { status: "Succeeded", process: 100, updatedAt: 1_200_000, endAt: 1_200_000 });
    assert.deepEqual(taskView(t, 5_000_000), { status: "Succeeded", process: 100, updatedAt: 1_200_000, endAt: 1_200_000 });
  });
  test("failAtPercent: Failed once progress reaches it, Process frozen there", () => {
    const f = { ...t, failAtPercent: 30 };
    assert.equal(taskView(f, 300_000).status, "Running");
    const v = taskView(f, 600_000);
    assert.equal(v.status, "Failed");
    assert.equal(v.process, 30);
    assert.equal(v.endAt, 30_000 + 0.3 * 1_170_000);
  });
  test("a zero duration succeeds at once", () => {
    assert.equal(taskView({ ...t, durationMs: 0 }, 0).status, "Succeeded");
  });
});

describe("copy life cycle through the API", () => {
  let emu: EmulatorHandle;
  before(async () => {
    // 10 simulated minutes at 200x: 3 s real; Pending lasts 30 simulated s = 150 ms real.
    emu = await startEmulator({ copyDurationMs: 600_000, clockSpeed: 200 });
  });
  after(() => emu.stop());

  async function watch(imageId: string): Promise<{ status: string; process: number }[]> {
    const seen: { status: string; process: number }[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await ok(emu, "cn-shanghai", "DescribeTasks", { "ResourceIds.1": imageId });
      assert.equal(r.Tasks.length, 1);
      const task = r.Tasks[0];
      seen.push({ status: task.Status, process: task.Process });
      if (task.Status === "Succeeded" || task.Status === "Failed") break;
      await sleep(60);
    }
    return seen;
  }

  test("Pending -> Running (Process rising) -> Succeeded; the image becomes available", async () => {
    const src = seedPrivate(emu);
    const t0 = Date.now();
    const { ImageId } = await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-shanghai", ImageName: "lifecycle" });
    const first = (await ok(emu, "cn-shanghai", "DescribeTasks", { "ResourceIds.1": ImageId })).Tasks[0];
    // Pending lasts 150 ms real; only insist on seeing it when the first poll came back in time (busy CI).
    if (Date.now() - t0 < 140) assert.equal(first.Status, "Pending");
    else assert.ok(["Pending", "Running"].includes(first.Status), first.Status);
    const seen = await watch(ImageId);
    const running = seen.filter((s) => s.status === "Running").map((s) => s.process);
    assert.ok(running.length >= 3, JSON.stringify(seen));
    assert.ok(new Set(running).size >= 2, JSON.stringify(seen));
    for (let i = 1; i < running.length; i++) assert.ok(running[i]! >= running[i - 1]!);
    assert.ok(running.every((p) => Number.isInteger(p) && p >= 0 && p < 100));
    assert.deepEqual(seen.at(-1), { status: "Succeeded", process: 100 });
    const full = (await ok(emu, "cn-shanghai", "DescribeTasks", { ResourceId: ImageId })).Tasks[0];
    assert.equal(full.Type, "CopyImage");
    assert.match(full.EndAt, /\+08:00$/);
    const img = (await ok(emu, "cn-shanghai", "DescribeImages", { "ImageIds.1": ImageId })).Images[0];
    assert.equal(img.Status, "available");
    assert.equal(img.Size, 40);
  });

  test("a copyFails fault: the task ends Failed and the image is in error", async () => {
    emu.addFault({ kind: "copyFails", atPercent: 20, count: 1 });
    const src = seedPrivate(emu);
    const { ImageId } = await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-shanghai", ImageName: "doomed" });
    const seen = await watch(ImageId);
    assert.deepEqual(seen.at(-1), { status: "Failed", process: 20 });
    assert.equal((await ok(emu, "cn-shanghai", "DescribeImages", { "ImageIds.1": ImageId })).Images[0].Status, "error");
    // an image in error can be deleted
    assert.deepEqual((await ok(emu, "cn-shanghai", "DeleteImages", { "ImageIds.1": ImageId })).OperationDetails, []);
  });

  test("deleting a copying image out of band fails its task", async () => {
    const src = seedPrivate(emu);
    const { ImageId } = await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-shanghai", ImageName: "vanish" });
    assert.equal(emu.deleteImageOutOfBand("cn-shanghai", ImageId), true);
    assert.equal((await ok(emu, "cn-shanghai", "DescribeTasks", { "ResourceIds.1": ImageId })).Tasks[0].Status, "Failed");
    assert.deepEqual((await ok(emu, "cn-shanghai", "DescribeImages", { "ImageIds.1": ImageId })).Images, []);
    assert.equal(emu.deleteImageOutOfBand("cn-shanghai", ImageId), false);
  });
});

describe("DescribeTasks queries", () => {
  let emu: EmulatorHandle;
  const images: string[] = [];
  before(async () => {
    emu = await startEmulator();
    const src = seedPrivate(emu);
    for (let i = 0; i < 25; i++)
      images.push((await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-guangzhou", ImageName: `c${i}` })).ImageId);
  });
  after(() => emu.stop());

  test("paging: MaxResults default 20, NextToken always present, empty on the last page", async () => {
    const first = await ok(emu, "cn-guangzhou", "DescribeTasks");
    assert.equal(first.Tasks.length, 20);
    assert.notEqual(first.NextToken, "");
    const second = await ok(emu, "cn-guangzhou", "DescribeTasks", { NextToken: first.NextToken });
    assert.equal(second.Tasks.length, 5);
    assert.equal(second.NextToken, "");
    const all = [...first.Tasks, ...second.Tasks].map((t: any) => t.ResourceId);
    assert.deepEqual(all, images);
    const small = await ok(emu, "cn-guangzhou", "DescribeTasks", { MaxResults: 7 });
    assert.equal(small.Tasks.length, 7);
    assert.equal((await errorOf(emu, "cn-guangzhou", "DescribeTasks", { MaxResults: 101 })).code, "InvalidArgument");
  });

  test("filters: ResourceIds.N, ResourceId, TaskIds.N; unknown ids and other regions give an empty list", async () => {
    const r = await ok(emu, "cn-guangzhou", "DescribeTasks", { "ResourceIds.1": images[3]!, "ResourceIds.2": images[7]! });
    assert.deepEqual(
      r.Tasks.map((t: any) => t.ResourceId),
      [images[3], images[7]],
    );
    const id = r.Tasks[0].Id;
    assert.deepEqual(
      (await ok(emu, "cn-guangzhou", "DescribeTasks", { "TaskIds.1": id })).Tasks.map((t: any) => t.Id),
      [id],
    );
    assert.equal((await ok(emu, "cn-guangzhou", "DescribeTasks", { ResourceId: images[5]! })).Tasks[0].ResourceId, images[5]);
    assert.deepEqual((await ok(emu, "cn-guangzhou", "DescribeTasks", { "ResourceIds.1": "image-unknown0000000000" })).Tasks, []);
    assert.deepEqual(await ok(emu, "cn-guangzhou", "DescribeTasks", { "TaskIds.1": "t-unknown" }), { NextToken: "", Tasks: [] });
    // the source region has no tasks: progress must be read in the destination
    assert.deepEqual((await ok(emu, "cn-beijing", "DescribeTasks", { "ResourceIds.1": images[0]! })).Tasks, []);
    const many: Record<string, string> = {};
    for (let i = 1; i <= 101; i++) many[`ResourceIds.${i}`] = `image-${i}`;
    assert.equal((await errorOf(emu, "cn-guangzhou", "DescribeTasks", many)).code, "InvalidArgument");
    const manyT: Record<string, string> = {};
    for (let i = 1; i <= 101; i++) manyT[`TaskIds.${i}`] = `t-${i}`;
    assert.equal((await errorOf(emu, "cn-guangzhou", "DescribeTasks", manyT)).code, "InvalidArgument");
  });

  test("task fields", async () => {
    const t = (await ok(emu, "cn-guangzhou", "DescribeTasks", { MaxResults: 1 })).Tasks[0];
    assert.deepEqual(Object.keys(t).sort(), ["CreatedAt", "EndAt", "Id", "Process", "ResourceId", "Status", "Type", "UpdatedAt"]);
    assert.equal(t.Status, "Pending"); // 20 real minutes at 1x
    assert.equal(t.EndAt, "");
  });
});
