// CopyImage: every documented error, the quota, tags, and what a successful copy creates.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_ACCOUNT, startEmulator, type EmulatorHandle } from "../../../emulator";
import { errorOf, ok, seedPrivate } from "../helpers";

const OTHER = { accessKey: "AKLTotherAccount", secretKey: "otherSecret==", accountId: "2100000002" };

describe("CopyImage", () => {
  let emu: EmulatorHandle;
  let src: string;
  before(async () => {
    emu = await startEmulator({ seed: { accounts: [DEFAULT_ACCOUNT, OTHER], projects: ["platform"] } });
    src = seedPrivate(emu, "cn-beijing", {
      tags: [
        { key: "team", value: "core" },
        { key: "env", value: "prod" },
      ],
      projectName: "platform",
      architecture: "arm64",
      bootMode: "UEFI",
      platform: "Debian",
      platformVersion: "12",
      osName: "Debian 12 64 bit",
      size: 60,
    });
  });
  after(() => emu.stop());

  const base = () => ({ ImageId: src, DestinationRegion: "cn-shanghai", ImageName: "copy-1" });
  const err = (params: Record<string, string>, region = "cn-beijing", extra = {}) => errorOf(emu, region, "CopyImage", params, extra);

  test("missing ImageId / DestinationRegion / ImageName: MissingParameter.* 400", async () => {
    const { ImageId: _a, ...noId } = base();
    const { DestinationRegion: _b, ...noDest } = base();
    const { ImageName: _c, ...noName } = base();
    assert.deepEqual(await err(noId), { status: 400, code: "MissingParameter.ImageId" });
    assert.deepEqual(await err(noDest), { status: 400, code: "MissingParameter.DestinationRegion" });
    assert.deepEqual(await err(noName), { status: 400, code: "MissingParameter.ImageName" });
  });

  test("ImageName rules: InvalidImageName.Malformed", async () => {
    for (const bad of ["1abc", "_abc", "my copy", "a/b", "a".repeat(129), "-x"]) {
      assert.deepEqual(await err({ ...base(), ImageName: bad }), { status: 400, code: "InvalidImageName.Malformed" }, bad);
    }
    for (const good of ["a", "镜像-copy_1.0", "A".repeat(128)]) {
      const r = await ok(emu, "cn-beijing", "CopyImage", { ...base(), ImageName: good });
      assert.match(r.ImageId, /^image-[a-z0-9]{20}$/);
      emu.deleteImageOutOfBand("cn-shanghai", r.ImageId);
    }
  });

  test("Description rules: InvalidDescription.Malformed; empty allowed", async () => {
    for (const bad of ["1abc", " lead", "a*b", "a".repeat(256), "x;y"]) {
      assert.deepEqual(await err({ ...base(), Description: bad }), { status: 400, code: "InvalidDescription.Malformed" }, bad);
    }
    for (const good of ["", "Copy of base, v1.0 = ok", "中文描述，句号。", "a".repeat(255)]) {
      const r = await ok(emu, "cn-beijing", "CopyImage", { ...base(), Description: good });
      const img = emu.images("cn-shanghai").find((i) => i.ImageId === r.ImageId)!;
      assert.equal(img.Description, good);
      emu.deleteImageOutOfBand("cn-shanghai", r.ImageId);
    }
  });

  test("unknown destination: InvalidDestinationRegion.Malformed 400; same as source: .Mismatch 412", async () => {
    assert.deepEqual(await err({ ...base(), DestinationRegion: "cn-nowhere" }), { status: 400, code: "InvalidDestinationRegion.Malformed" });
    assert.deepEqual(await err({ ...base(), DestinationRegion: "cn-beijing" }), { status: 412, code: "InvalidDestinationRegion.Mismatch" });
  });

  test("a region that does not support copy (as destination or source): InvalidRegionForCopyImage.UnSupported 400", async () => {
    assert.deepEqual(await err({ ...base(), DestinationRegion: "cn-beijing-autodriving" }), {
      status: 400,
      code: "InvalidRegionForCopyImage.UnSupported",
    });
    const id = seedPrivate(emu, "cn-beijing-autodriving");
    assert.deepEqual(await err({ ImageId: id, DestinationRegion: "cn-beijing", ImageName: "x" }, "cn-beijing-autodriving"), {
      status: 400,
      code: "InvalidRegionForCopyImage.UnSupported",
    });
  });

  test("image not in the source region, or another account's: InvalidImage.NotFound 404", async () => {
    assert.deepEqual(await err({ ...base(), ImageId: "image-doesnotexist000000" }), { status: 404, code: "InvalidImage.NotFound" });
    // signed for the wrong (destination) region: the image is not there
    assert.deepEqual(await err({ ...base(), DestinationRegion: "cn-guangzhou" }, "cn-shanghai"), { status: 404, code: "InvalidImage.NotFound" });
    assert.deepEqual(await err(base(), "cn-beijing", { accessKey: OTHER.accessKey, secretKey: OTHER.secretKey }), {
      status: 404,
      code: "InvalidImage.NotFound",
    });
  });

  test("public or shared image: InvalidImageForCopyImage.UnSupported 400", async () => {
    const pub = emu.images("cn-beijing").find((i) => i.Visibility === "public")!.ImageId;
    assert.deepEqual(await err({ ...base(), ImageId: pub }), { status: 400, code: "InvalidImageForCopyImage.UnSupported" });
    const shared = emu.seedImage({ region: "cn-beijing", imageName: "partner", visibility: "shared" });
    assert.deepEqual(await err({ ...base(), ImageId: shared }), { status: 400, code: "InvalidImageForCopyImage.UnSupported" });
    // the other account shared its private image: to us it is "shared"
    const theirs = emu.seedImage({ region: "cn-beijing", imageName: "theirs", ownerAccountId: OTHER.accountId, shared: true });
    assert.deepEqual(await err({ ...base(), ImageId: theirs }), { status: 400, code: "InvalidImageForCopyImage.UnSupported" });
  });

  test("source not available: InvalidImageStatus 400", async () => {
    const creating = seedPrivate(emu, "cn-beijing", { status: "creating" });
    const broken = seedPrivate(emu, "cn-beijing", { status: "error" });
    assert.deepEqual(await err({ ...base(), ImageId: creating }), { status: 400, code: "InvalidImageStatus" });
    assert.deepEqual(await err({ ...base(), ImageId: broken }), { status: 400, code: "InvalidImageStatus" });
  });

  test("unknown ProjectName: InvalidProject.NotFound 404; a known one is used", async () => {
    assert.deepEqual(await err({ ...base(), ProjectName: "nope" }), { status: 404, code: "InvalidProject.NotFound" });
    const r = await ok(emu, "cn-beijing", "CopyImage", { ...base(), ProjectName: "platform" });
    assert.equal(emu.images("cn-shanghai").find((i) => i.ImageId === r.ImageId)!.ProjectName, "platform");
    emu.deleteImageOutOfBand("cn-shanghai", r.ImageId);
  });

  test("success: the destination image exists at once, creating, with the source's fields and description", async () => {
    const r = await ok(emu, "cn-beijing", "CopyImage", base());
    const img = emu.images("cn-shanghai").find((i) => i.ImageId === r.ImageId)!;
    assert.equal(img.Status, "creating");
    assert.equal(img.ImageName, "copy-1");
    assert.equal(img.Description, "Source image"); // defaults to the source's
    assert.equal(img.Visibility, "private");
    assert.equal(img.ImageOwnerId, DEFAULT_ACCOUNT.accountId);
    assert.equal(img.ProjectName, "default");
    for (const k of ["Size", "VirtualSize", "OsName", "OsType", "Platform", "PlatformVersion", "Architecture", "BootMode"] as const) {
      assert.equal(img[k], emu.images("cn-beijing").find((i) => i.ImageId === src)![k], k);
    }
    assert.deepEqual(img.Tags, []); // CopyImageTags defaults to false
    const tasks = emu.tasks("cn-shanghai").filter((t) => t.ResourceId === r.ImageId);
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0]!.Type, "CopyImage");
    assert.match(tasks[0]!.Id, /^t-[a-z0-9]{20}$/);
    assert.equal(tasks[0]!.Status, "Pending");
    assert.equal(tasks[0]!.SourceImageId, src);
    assert.equal(emu.tasks("cn-beijing").length, 0); // the task lives in the destination region
    emu.deleteImageOutOfBand("cn-shanghai", r.ImageId);
  });

  test("CopyImageTags=true copies the source tags; Tags.N are applied on top", async () => {
    const r = await ok(emu, "cn-beijing", "CopyImage", {
      ...base(),
      CopyImageTags: true,
      "Tags.1.Key": "env",
      "Tags.1.Value": "staging",
      "Tags.2.Key": "copied-by",
      "Tags.2.Value": "test",
    });
    const img = emu.images("cn-shanghai").find((i) => i.ImageId === r.ImageId)!;
    assert.deepEqual(img.Tags, [
      { Key: "team", Value: "core" },
      { Key: "env", Value: "staging" },
      { Key: "copied-by", Value: "test" },
    ]);
    const r2 = await ok(emu, "cn-beijing", "CopyImage", { ...base(), "Tags.1.Key": "only", "Tags.1.Value": "this" });
    assert.deepEqual(emu.images("cn-shanghai").find((i) => i.ImageId === r2.ImageId)!.Tags, [{ Key: "only", Value: "this" }]);
    assert.equal((await err({ ...base(), CopyImageTags: "yes" })).code, "InvalidArgument");
    assert.equal((await err({ ...base(), "Tags.1.Key": "volc:x", "Tags.1.Value": "v" })).code, "InvalidTagKey.Malformed");
    emu.deleteImageOutOfBand("cn-shanghai", r.ImageId);
    emu.deleteImageOutOfBand("cn-shanghai", r2.ImageId);
  });
});

describe("CopyImage quota (50 custom images per region)", () => {
  let emu: EmulatorHandle;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu.stop());

  test("the 51st private image in the destination is refused: LimitExceeded.MaximumImageCount; creating ones count, public ones do not", async () => {
    const src = seedPrivate(emu, "cn-beijing");
    for (let i = 0; i < 48; i++) seedPrivate(emu, "cn-guangzhou", { status: i % 2 ? "available" : "error" });
    const a = await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-guangzhou", ImageName: "c49" });
    await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-guangzhou", ImageName: "c50" });
    assert.equal(emu.images("cn-guangzhou").filter((i) => i.Visibility === "private").length, 50);
    assert.deepEqual(await errorOf(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-guangzhou", ImageName: "c51" }), {
      status: 400,
      code: "LimitExceeded.MaximumImageCount",
    });
    // another region is not affected
    await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-hongkong", ImageName: "elsewhere" });
    // freeing one slot allows the copy again
    emu.deleteImageOutOfBand("cn-guangzhou", a.ImageId);
    await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-guangzhou", ImageName: "c51" });
  });

  test("maxImagesPerRegion is configurable", async () => {
    const small = await startEmulator({ maxImagesPerRegion: 1 });
    try {
      const src = seedPrivate(small, "cn-beijing");
      await ok(small, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-shanghai", ImageName: "one" });
      assert.equal(
        (await errorOf(small, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-shanghai", ImageName: "two" })).code,
        "LimitExceeded.MaximumImageCount",
      );
    } finally {
      await small.stop();
    }
  });
});
