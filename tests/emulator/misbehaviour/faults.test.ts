// Every fault switch, and how faults match by action / region / count.
import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "../../../emulator";
import { call, errorOf, ok, seedPrivate, sleep } from "../helpers";

describe("faults", () => {
  let emu: EmulatorHandle;
  before(async () => {
    emu = await startEmulator();
  });
  afterEach(() => emu.clearFaults());
  after(() => emu.stop());

  test("throttle: AccountFlowLimitExceeded 429, logged", async () => {
    emu.addFault({ kind: "throttle" });
    const r = await call(emu, "cn-beijing", "DescribeImages");
    assert.equal(r.status, 429);
    assert.equal(r.body.ResponseMetadata.Error?.Code, "AccountFlowLimitExceeded");
    assert.equal(r.body.Result, undefined);
    const last = emu.log().at(-1)!;
    assert.deepEqual([last.status, last.errorCode], [429, "AccountFlowLimitExceeded"]);
  });

  test("internalError: InternalError 500; resourceLocked: OperationDenied.ResourceLocked 412", async () => {
    const a = emu.addFault({ kind: "internalError" });
    assert.deepEqual(await errorOf(emu, "cn-beijing", "DescribeImages"), { status: 500, code: "InternalError" });
    emu.removeFault(a);
    emu.addFault({ kind: "resourceLocked" });
    assert.deepEqual(await errorOf(emu, "cn-beijing", "DescribeImages"), { status: 412, code: "OperationDenied.ResourceLocked" });
  });

  test("faults apply only once auth has passed (a bad signature still gets its own error)", async () => {
    emu.addFault({ kind: "throttle" });
    assert.equal((await errorOf(emu, "cn-beijing", "DescribeImages", {}, { secretKey: "bad" })).code, "SignatureDoesNotMatch");
  });

  test("count: applied that many times, then removed", async () => {
    emu.addFault({ kind: "throttle", count: 2 });
    assert.equal((await call(emu, "cn-beijing", "DescribeImages")).status, 429);
    assert.equal((await call(emu, "cn-beijing", "DescribeImages")).status, 429);
    assert.equal((await call(emu, "cn-beijing", "DescribeImages")).status, 200);
  });

  test("matching by action and by region", async () => {
    emu.addFault({ kind: "internalError", action: "DescribeTasks" });
    emu.addFault({ kind: "resourceLocked", region: "cn-guangzhou" });
    assert.equal((await call(emu, "cn-beijing", "DescribeImages")).status, 200);
    assert.equal((await errorOf(emu, "cn-beijing", "DescribeTasks")).code, "InternalError");
    assert.equal((await errorOf(emu, "cn-guangzhou", "DescribeImages")).code, "OperationDenied.ResourceLocked");
  });

  test("latency: the response is delayed (and the action still happens)", async () => {
    emu.addFault({ kind: "latency", ms: 300, action: "CopyImage", count: 1 });
    const src = seedPrivate(emu);
    const t0 = Date.now();
    const r = await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-shanghai", ImageName: "slow" });
    assert.ok(Date.now() - t0 >= 290, `took ${Date.now() - t0} ms`);
    assert.ok(emu.images("cn-shanghai").some((i) => i.ImageId === r.ImageId));
    // count: 1 used up, so nothing delays the next request (checked without timing, which is flaky on busy CI)
    assert.deepEqual(await (await fetch(`${emu.url}/_emulator/faults`)).json(), []);
  });

  test("drop: the socket is destroyed without an answer; the action does not happen; logged with status 0", async () => {
    emu.addFault({ kind: "drop", action: "CopyImage", count: 1 });
    const src = seedPrivate(emu);
    const before = emu.images("cn-shanghai").length;
    await assert.rejects(call(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-shanghai", ImageName: "lost" }));
    assert.equal(emu.images("cn-shanghai").length, before);
    const last = emu.log().at(-1)!;
    assert.deepEqual([last.action, last.status], ["CopyImage", 0]);
    await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-shanghai", ImageName: "notlost" });
  });

  test("rateLimit: a token bucket; over it AccountFlowLimitExceeded 429; refills over time", async () => {
    emu.addFault({ kind: "rateLimit", perSecond: 1, burst: 3 });
    const t0 = Date.now();
    const results: { status: number; code?: string }[] = [];
    for (let i = 0; i < 10; i++) results.push(await errorOf(emu, "cn-beijing", "DescribeImages"));
    const elapsedS = (Date.now() - t0) / 1000;
    assert.deepEqual(
      results.slice(0, 3).map((r) => r.status),
      [200, 200, 200],
    ); // the bucket starts full
    const accepted = results.filter((r) => r.status === 200).length;
    assert.ok(accepted <= 3 + Math.ceil(elapsedS * 1), `accepted ${accepted} in ${elapsedS} s`);
    const rejected = results.filter((r) => r.status !== 200);
    assert.ok(rejected.length > 0);
    assert.ok(rejected.every((r) => r.status === 429 && r.code === "AccountFlowLimitExceeded"));
    await sleep(1100); // at least one token back
    assert.equal((await call(emu, "cn-beijing", "DescribeImages")).status, 200);
  });

  test("taskInvisible: a new copy task is absent from DescribeTasks for ms real milliseconds", async () => {
    emu.addFault({ kind: "taskInvisible", ms: 800, count: 1 });
    const src = seedPrivate(emu);
    const t0 = Date.now();
    const { ImageId } = await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-hongkong", ImageName: "hidden" });
    const tCopied = Date.now();
    const early = (await ok(emu, "cn-hongkong", "DescribeTasks", { "ResourceIds.1": ImageId })).Tasks;
    if (Date.now() - t0 < 800) {
      assert.deepEqual(early, []);
      assert.equal(emu.tasks("cn-hongkong").find((t) => t.ResourceId === ImageId)!.Invisible, true);
    }
    // the image itself is visible at once
    assert.equal((await ok(emu, "cn-hongkong", "DescribeImages", { "ImageIds.1": ImageId })).Images.length, 1);
    await sleep(Math.max(0, tCopied + 850 - Date.now()));
    assert.equal((await ok(emu, "cn-hongkong", "DescribeTasks", { "ResourceIds.1": ImageId })).Tasks.length, 1);
  });

  test("copyDuration: the next copies take that simulated duration; region matches the destination", async () => {
    emu.addFault({ kind: "copyDuration", ms: 0, region: "ap-southeast-1", count: 1 });
    const src = seedPrivate(emu);
    const other = await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "ap-southeast-3", ImageName: "normal" });
    const fast = await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "ap-southeast-1", ImageName: "instant" });
    const again = await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "ap-southeast-1", ImageName: "again" });
    const status = async (region: string, id: string) => (await ok(emu, region, "DescribeTasks", { "ResourceIds.1": id })).Tasks[0].Status;
    assert.equal(await status("ap-southeast-1", fast.ImageId), "Succeeded");
    assert.equal((await ok(emu, "ap-southeast-1", "DescribeImages", { "ImageIds.1": fast.ImageId })).Images[0].Status, "available");
    assert.equal(await status("ap-southeast-3", other.ImageId), "Pending");
    assert.equal(await status("ap-southeast-1", again.ImageId), "Pending"); // count: 1 used up
  });

  test("copyFails without atPercent, limited by count", async () => {
    emu.addFault({ kind: "copyFails", count: 1 });
    emu.addFault({ kind: "copyDuration", ms: 0, count: 2 });
    const src = seedPrivate(emu);
    const a = await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-guangzhou", ImageName: "fails" });
    const b = await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-guangzhou", ImageName: "works" });
    const tasks = await ok(emu, "cn-guangzhou", "DescribeTasks", { "ResourceIds.1": a.ImageId, "ResourceIds.2": b.ImageId });
    assert.deepEqual(
      tasks.Tasks.map((t: any) => t.Status),
      ["Failed", "Succeeded"],
    );
    const imgs = emu.images("cn-guangzhou");
    assert.equal(imgs.find((i) => i.ImageId === a.ImageId)!.Status, "error");
    assert.equal(imgs.find((i) => i.ImageId === b.ImageId)!.Status, "available");
  });

  test("invalid faults are refused", () => {
    assert.throws(() => emu.addFault({ kind: "nope" } as never));
    assert.throws(() => emu.addFault({ kind: "latency" } as never));
    assert.throws(() => emu.addFault({ kind: "throttle", count: 0 }));
  });
});
