// World switches other than progress and snapshots: each test shows both answers.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_WORLD, startEmulator, type EmulatorHandle } from "../../../emulator";
import { call, control, ok, seedPrivate } from "../helpers";

describe("worlds", () => {
  let emu: EmulatorHandle;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu.stop());
  beforeEach(() => {
    emu.setWorld({ ...DEFAULT_WORLD });
    emu.clearFaults();
  });

  const copy = (extra: Record<string, string> = {}) =>
    call(emu, "cn-beijing", "CopyImage", { ImageId: seedPrivate(emu), DestinationRegion: "cn-shanghai", ImageName: "copy", ...extra });
  const imageIn = (region: string, id: string) => emu.images(region).find((i) => i.ImageId === id);

  test("defaults are the original answers", () => {
    assert.deepEqual(emu.world(), {
      progressProfile: "linear",
      progressJitter: 0,
      progressSeed: 1,
      tagsOnCopyImage: "applied",
      deniedActions: [],
      denial: "AccessDenied",
      deleteBindedSnapshotsDefault: true,
      deleteImagesSuccesses: "omitted",
      describeImagesUnknownId: "empty",
    });
  });

  describe("Tags.N on CopyImage", () => {
    test("applied: the new image carries the tags; a bad key is refused", async () => {
      const r = await copy({ "Tags.1.Key": "team", "Tags.1.Value": "web" });
      assert.equal(r.status, 200);
      assert.deepEqual(imageIn("cn-shanghai", r.body.Result.ImageId)!.Tags, [{ Key: "team", Value: "web" }]);
      assert.equal((await copy({ "Tags.1.Key": "volc:x", "Tags.1.Value": "v" })).body.ResponseMetadata.Error?.Code, "InvalidTagKey.Malformed");
    });
    test("ignored: the parameter is not read at all (no tags, no validation); CopyImageTags still works", async () => {
      emu.setWorld({ tagsOnCopyImage: "ignored" });
      const r = await copy({ "Tags.1.Key": "team", "Tags.1.Value": "web" });
      assert.deepEqual(imageIn("cn-shanghai", r.body.Result.ImageId)!.Tags, []);
      assert.equal((await copy({ "Tags.1.Key": "volc:x" })).status, 200);
      const src = seedPrivate(emu, "cn-beijing", { tags: [{ key: "from", value: "source" }] });
      const c = await ok(emu, "cn-beijing", "CopyImage", {
        ImageId: src,
        DestinationRegion: "cn-shanghai",
        ImageName: "c",
        CopyImageTags: true,
        "Tags.1.Key": "team",
      });
      assert.deepEqual(imageIn("cn-shanghai", c.ImageId)!.Tags, [{ Key: "from", Value: "source" }]);
    });
  });

  describe("permissions", () => {
    test("a denied action: 403 AccessDenied 100013 in the usual envelope, naming the image's TRN; the action does not run", async () => {
      emu.setWorld({ deniedActions: ["CopyImage"] });
      const src = seedPrivate(emu);
      const before = emu.images("cn-shanghai").length;
      const r = await call(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-shanghai", ImageName: "x" });
      assert.equal(r.status, 403);
      const m = r.body.ResponseMetadata;
      assert.deepEqual(
        { ...m, RequestId: typeof m.RequestId },
        {
          RequestId: "string",
          Action: "CopyImage",
          Version: "2020-04-01",
          Service: "ecs",
          Region: "cn-beijing",
          Error: {
            CodeN: 100013,
            Code: "AccessDenied",
            Message: `User is not authorized to perform: ecs:CopyImage on resource: trn:ecs:cn-beijing:2100000001:image/${src}.`,
          },
        },
      );
      assert.ok(m.RequestId.length > 10);
      assert.equal(emu.images("cn-shanghai").length, before);
      assert.equal(r.body.Result, undefined);
      // Other actions are still allowed.
      assert.equal((await call(emu, "cn-beijing", "DescribeImages")).status, 200);
      assert.equal(emu.log().at(-2)!.errorCode, "AccessDenied");
    });
    test("an action without an image id is denied on resource *; changing the world at run time lifts the denial", async () => {
      emu.setWorld({ deniedActions: ["DescribeTasks"] });
      const r = await call(emu, "cn-shanghai", "DescribeTasks");
      assert.equal(r.body.ResponseMetadata.Error?.Message, "User is not authorized to perform: ecs:DescribeTasks on resource: *.");
      emu.setWorld({ deniedActions: [] });
      assert.equal((await call(emu, "cn-shanghai", "DescribeTasks")).status, 200);
    });
    test("LackPolicy: 403 with CodeN 100012", async () => {
      emu.setWorld({ deniedActions: ["DeleteImages"], denial: "LackPolicy" });
      const r = await call(emu, "cn-beijing", "DeleteImages", { "ImageIds.1": seedPrivate(emu) });
      assert.equal(r.status, 403);
      assert.equal(r.body.ResponseMetadata.Error?.Code, "LackPolicy");
      assert.equal(r.body.ResponseMetadata.Error?.CodeN, 100012);
      assert.match(r.body.ResponseMetadata.Error!.Message, /ecs:DeleteImages/);
    });
    test("* denies every action; a denial is decided before faults, which stay unused", async () => {
      emu.setWorld({ deniedActions: ["*"] });
      emu.addFault({ kind: "throttle", count: 1 });
      for (const action of ["DescribeImages", "ModifyImageAttribute", "TagResources"])
        assert.equal((await call(emu, "cn-beijing", action)).status, 403);
      emu.setWorld({ deniedActions: [] });
      assert.equal((await call(emu, "cn-beijing", "DescribeImages")).status, 429);
    });
    test("an unknown action name or value is refused when the world is set", () => {
      assert.throws(() => emu.setWorld({ deniedActions: ["CopyImages"] }), /unknown action "CopyImages"/);
      assert.throws(() => emu.setWorld({ denial: "Nope" as never }), /denial must be one of AccessDenied, LackPolicy/);
      assert.throws(() => emu.setWorld({ colour: "red" } as never), /unknown world switch "colour"/);
      assert.throws(() => emu.setWorld({ progressJitter: 1 }), /progressJitter/);
      assert.deepEqual(emu.world().deniedActions, []);
    });
  });

  describe("DeleteImages OperationDetails", () => {
    const del = (...ids: string[]) => ok(emu, "cn-beijing", "DeleteImages", Object.fromEntries(ids.map((id, i) => [`ImageIds.${i + 1}`, id])));
    test("omitted: only failures are listed", async () => {
      const r = await del(seedPrivate(emu), "image-doesnotexist000000");
      assert.deepEqual(
        r.OperationDetails.map((d: any) => [d.ImageId, d.Error?.Code]),
        [["image-doesnotexist000000", "InvalidImage.NotFound"]],
      );
    });
    test("listed: each success appears, in request order, without Error", async () => {
      emu.setWorld({ deleteImagesSuccesses: "listed" });
      const a = seedPrivate(emu);
      const r = await del("image-doesnotexist000000", a);
      assert.deepEqual(r.OperationDetails, [
        { ImageId: "image-doesnotexist000000", Error: { Code: "InvalidImage.NotFound", Message: "The specified image does not exist." } },
        { ImageId: a },
      ]);
      assert.equal(imageIn("cn-beijing", a), undefined);
    });
  });

  describe("DescribeImages with an unknown ImageIds.N", () => {
    test("empty: HTTP 200, no entry for it", async () => {
      const r = await ok(emu, "cn-beijing", "DescribeImages", { "ImageIds.1": "image-doesnotexist000000" });
      assert.deepEqual(r.Images, []);
    });
    test("notFound: 404 InvalidImage.NotFound, even with a known id beside it; known ids alone still work", async () => {
      emu.setWorld({ describeImagesUnknownId: "notFound" });
      const known = seedPrivate(emu);
      const r = await call(emu, "cn-beijing", "DescribeImages", { "ImageIds.1": known, "ImageIds.2": "image-doesnotexist000000" });
      assert.equal(r.status, 404);
      assert.equal(r.body.ResponseMetadata.Error?.Code, "InvalidImage.NotFound");
      assert.equal((await ok(emu, "cn-beijing", "DescribeImages", { "ImageIds.1": known })).Images.length, 1);
      // An image in another region is unknown here.
      assert.equal((await call(emu, "cn-shanghai", "DescribeImages", { "ImageIds.1": known })).status, 404);
      // Without ImageIds nothing can be missing.
      assert.equal((await call(emu, "cn-beijing", "DescribeImages")).status, 200);
    });
  });

  describe("setting the world", () => {
    test("from startEmulator; a bad world refuses to start", async () => {
      const e = await startEmulator({ world: { describeImagesUnknownId: "notFound", deniedActions: ["CopyImage"] } });
      try {
        assert.equal(e.world().describeImagesUnknownId, "notFound");
        assert.equal((await call(e, "cn-beijing", "DescribeImages", { "ImageIds.1": "image-x" })).status, 404);
        assert.equal(e.world().progressProfile, "linear");
      } finally {
        await e.stop();
      }
      await assert.rejects(startEmulator({ world: { progressProfile: "wobbly" as never } }), /progressProfile must be one of/);
    });
    test("world() is a copy; setWorld changes only what it names and returns the whole world", () => {
      emu.world().deniedActions.push("CopyImage");
      assert.deepEqual(emu.world().deniedActions, []);
      const w = emu.setWorld({ denial: "LackPolicy" });
      assert.equal(w.denial, "LackPolicy");
      assert.equal(w.tagsOnCopyImage, "applied");
    });
    test("control endpoint: GET and PATCH /_emulator/world; bad input is a 400 with the reason", async () => {
      assert.deepEqual((await control(emu, "GET", "/world")).json, emu.world());
      const patched = await control(emu, "PATCH", "/world", { deniedActions: ["DescribeImages"], deleteImagesSuccesses: "listed" });
      assert.equal(patched.status, 200);
      assert.deepEqual(patched.json.deniedActions, ["DescribeImages"]);
      assert.equal((await call(emu, "cn-beijing", "DescribeImages")).status, 403);
      assert.equal((await control(emu, "POST", "/world", { deniedActions: [] })).status, 200);
      assert.equal((await call(emu, "cn-beijing", "DescribeImages")).status, 200);
      const bad = await control(emu, "PATCH", "/world", { tagsOnCopyImage: "sometimes" });
      assert.equal(bad.status, 400);
      assert.match(bad.json.error, /tagsOnCopyImage must be one of applied, ignored/);
      assert.equal((await control(emu, "GET", "/")).json.world.deleteImagesSuccesses, "listed");
    });
    test("control endpoint: POST /_emulator/clock moves the simulated clock", async () => {
      const before = emu.now().getTime();
      const r = await control(emu, "POST", "/clock", { advanceMs: 3_600_000 });
      assert.equal(r.status, 200);
      assert.ok(Date.parse(r.json.now) - before >= 3_600_000);
      assert.equal((await control(emu, "POST", "/clock", { advanceMs: -1 })).status, 400);
    });
  });
});
