// The /_emulator/ control endpoint (not part of the Volcengine API).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "../../../emulator";
import { call, ok, seedPrivate } from "../helpers";

describe("control endpoint", () => {
  let emu: EmulatorHandle;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu.stop());

  const ctl = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emu.url}/_emulator${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
    });
    return { status: res.status, json: (await res.json()) as any };
  };

  test("GET / DELETE log; control requests are not logged and need no signature", async () => {
    await call(emu, "cn-beijing", "DescribeImages");
    const log = await ctl("GET", "/log");
    assert.equal(log.status, 200);
    assert.equal(log.json.length, 1);
    assert.equal(log.json[0].action, "DescribeImages");
    assert.equal((await ctl("DELETE", "/log")).status, 200);
    assert.deepEqual((await ctl("GET", "/log")).json, []);
    assert.deepEqual(emu.log(), []);
  });

  test("POST / DELETE faults", async () => {
    const { json } = await ctl("POST", "/faults", { kind: "throttle", action: "DescribeImages" });
    assert.match(json.id, /^fault-/);
    assert.equal((await ctl("GET", "/faults")).json.length, 1);
    assert.equal((await call(emu, "cn-beijing", "DescribeImages")).status, 429);
    await ctl("DELETE", `/faults/${json.id}`);
    assert.equal((await call(emu, "cn-beijing", "DescribeImages")).status, 200);
    await ctl("POST", "/faults", { kind: "internalError" });
    await ctl("POST", "/faults", { kind: "resourceLocked" });
    await ctl("DELETE", "/faults");
    assert.deepEqual((await ctl("GET", "/faults")).json, []);
    const bad = await ctl("POST", "/faults", { kind: "explode" });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error, /unknown fault kind/);
  });

  test("images: seed with POST, list with GET, delete out of band with DELETE", async () => {
    const { status, json } = await ctl("POST", "/images", { region: "cn-hongkong", imageName: "seeded", tags: [{ key: "a", value: "b" }] });
    assert.equal(status, 200);
    assert.match(json.imageId, /^image-[a-z0-9]{20}$/);
    const list = (await ctl("GET", "/images?region=cn-hongkong")).json;
    const img = list.find((i: any) => i.ImageId === json.imageId);
    assert.equal(img.Visibility, "private");
    assert.deepEqual(img.Tags, [{ Key: "a", Value: "b" }]);
    assert.equal((await ok(emu, "cn-hongkong", "DescribeImages", { "ImageIds.1": json.imageId })).Images.length, 1);
    assert.deepEqual((await ctl("DELETE", `/images/cn-hongkong/${json.imageId}`)).json, { deleted: true });
    assert.equal((await ctl("DELETE", `/images/cn-hongkong/${json.imageId}`)).status, 404);
    assert.equal((await ok(emu, "cn-hongkong", "DescribeImages", { "ImageIds.1": json.imageId })).Images.length, 0);
    assert.equal((await ctl("GET", "/images?region=nowhere")).status, 400);
    assert.equal((await ctl("POST", "/images", { region: "nowhere", imageName: "x" })).status, 400);
  });

  test("tasks and info", async () => {
    const src = seedPrivate(emu);
    const { ImageId } = await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-shanghai", ImageName: "ctl" });
    const tasks = (await ctl("GET", "/tasks?region=cn-shanghai")).json;
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0].ResourceId, ImageId);
    assert.equal(tasks[0].SourceImageId, src);
    const info = (await ctl("GET", "/")).json;
    assert.ok(info.regions.includes("cn-beijing"));
    assert.ok(!JSON.stringify(info).includes("SecretKey"));
    assert.equal((await ctl("GET", "/nothing")).status, 404);
    assert.ok(emu.log().every((e) => e.action !== ""));
  });

  test("handle.now() is the simulated clock", async () => {
    const fast = await startEmulator({ clockSpeed: 1000 });
    try {
      const a = fast.now().getTime();
      await new Promise((r) => setTimeout(r, 50));
      assert.ok(fast.now().getTime() - a >= 40_000);
    } finally {
      await fast.stop();
    }
  });
});
