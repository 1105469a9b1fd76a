// DescribeImages, DeleteImages, ModifyImageAttribute, TagResources / UntagResources.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_ACCOUNT, startEmulator, type EmulatorHandle } from "../../../emulator";
import { errorOf, ok, seedPrivate } from "../helpers";

const OTHER = { accessKey: "AKLTotherAccount", secretKey: "otherSecret==", accountId: "2100000002" };
const asOther = { accessKey: OTHER.accessKey, secretKey: OTHER.secretKey };

describe("DescribeImages", () => {
  let emu: EmulatorHandle;
  before(async () => {
    emu = await startEmulator({ seed: { accounts: [DEFAULT_ACCOUNT, OTHER] } });
  });
  after(() => emu.stop());

  test("default seed: a few public images per region, nothing private; all documented fields present", async () => {
    const r = await ok(emu, "cn-hongkong", "DescribeImages", { MaxResults: 100 });
    assert.ok(r.Images.length >= 3);
    assert.ok(r.Images.every((i: any) => i.Visibility === "public"));
    assert.equal(r.TotalCount, r.Images.length);
    assert.equal(r.NextToken, "");
    const img = r.Images[0];
    for (const k of [
      "ImageId",
      "ImageName",
      "Description",
      "Status",
      "Size",
      "VirtualSize",
      "OsName",
      "OsType",
      "Platform",
      "PlatformVersion",
      "Architecture",
      "BootMode",
      "Visibility",
      "ShareStatus",
      "ProjectName",
      "CreatedAt",
      "UpdatedAt",
      "IsSupportCloudInit",
      "IsLTS",
      "ImageOwnerId",
      "Tags",
    ]) {
      assert.ok(k in img, k);
    }
    assert.match(img.ImageId, /^image-[a-z0-9]{20}$/);
    assert.match(img.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    assert.equal((await ok(emu, "cn-hongkong", "DescribeImages", { Visibility: "private" })).TotalCount, 0);
  });

  test("paging: MaxResults default 15, NextToken chain, empty NextToken on the last page", async () => {
    for (let i = 0; i < 33; i++) seedPrivate(emu, "ap-southeast-1", { imageName: `img-${i}` });
    const first = await ok(emu, "ap-southeast-1", "DescribeImages", { Visibility: "private" });
    assert.equal(first.Images.length, 15);
    assert.equal(first.TotalCount, 33);
    assert.notEqual(first.NextToken, "");
    const seen = new Set<string>(first.Images.map((i: any) => i.ImageId));
    let token = first.NextToken;
    let pages = 1;
    while (token !== "") {
      const p = await ok(emu, "ap-southeast-1", "DescribeImages", { Visibility: "private", MaxResults: 10, NextToken: token });
      p.Images.forEach((i: any) => seen.add(i.ImageId));
      token = p.NextToken;
      pages++;
    }
    assert.equal(seen.size, 33);
    assert.equal(pages, 3); // 15 + 10 + 8
    assert.equal((await errorOf(emu, "ap-southeast-1", "DescribeImages", { MaxResults: 0 })).code, "InvalidArgument");
    assert.equal((await errorOf(emu, "ap-southeast-1", "DescribeImages", { MaxResults: 101 })).code, "InvalidArgument");
    assert.equal((await errorOf(emu, "ap-southeast-1", "DescribeImages", { NextToken: "garbage!" })).code, "InvalidArgument");
  });

  test("filters: ImageIds.N, exact ImageName, Status.N, Visibility; unknown id gives an empty list", async () => {
    const a = seedPrivate(emu, "cn-guangzhou", { imageName: "alpha" });
    const b = seedPrivate(emu, "cn-guangzhou", { imageName: "alphabet", status: "creating" });
    const r = await ok(emu, "cn-guangzhou", "DescribeImages", { "ImageIds.1": a, "ImageIds.2": b, "ImageIds.3": "image-unknown0000000000" });
    assert.deepEqual(r.Images.map((i: any) => i.ImageId).sort(), [a, b].sort());
    assert.deepEqual(
      (await ok(emu, "cn-guangzhou", "DescribeImages", { ImageName: "alpha" })).Images.map((i: any) => i.ImageId),
      [a],
    );
    assert.deepEqual(
      (await ok(emu, "cn-guangzhou", "DescribeImages", { "Status.1": "creating" })).Images.map((i: any) => i.ImageId),
      [b],
    );
    const none = await ok(emu, "cn-guangzhou", "DescribeImages", { "ImageIds.1": "image-unknown0000000000" });
    assert.deepEqual(none.Images, []);
    assert.equal(none.TotalCount, 0);
    assert.equal(none.NextToken, "");
    const ids: Record<string, string> = {};
    for (let i = 1; i <= 101; i++) ids[`ImageIds.${i}`] = `image-x${i}`;
    assert.equal((await errorOf(emu, "cn-guangzhou", "DescribeImages", ids)).code, "InvalidArgument");
  });

  test("another account's private image is invisible; a shared one shows as shared", async () => {
    const mine = seedPrivate(emu, "cn-shanghai");
    const sharedOut = seedPrivate(emu, "cn-shanghai", { shared: true });
    const r = await ok(emu, "cn-shanghai", "DescribeImages", { "ImageIds.1": mine, "ImageIds.2": sharedOut }, asOther);
    assert.deepEqual(
      r.Images.map((i: any) => [i.ImageId, i.Visibility]),
      [[sharedOut, "shared"]],
    );
  });
});

describe("DeleteImages", () => {
  let emu: EmulatorHandle;
  before(async () => {
    emu = await startEmulator({ seed: { accounts: [DEFAULT_ACCOUNT, OTHER] } });
  });
  after(() => emu.stop());

  test("ImageIds.N required: MissingParameter.ImageIds", async () => {
    assert.deepEqual(await errorOf(emu, "cn-beijing", "DeleteImages"), { status: 400, code: "MissingParameter.ImageIds" });
  });

  test("successful deletions are left out of OperationDetails and the image is gone", async () => {
    const a = seedPrivate(emu);
    const b = seedPrivate(emu, "cn-beijing", { status: "error" });
    const r = await ok(emu, "cn-beijing", "DeleteImages", { "ImageIds.1": a, "ImageIds.2": b });
    assert.deepEqual(r.OperationDetails, []);
    assert.equal(emu.images("cn-beijing").filter((i) => i.ImageId === a || i.ImageId === b).length, 0);
  });

  test("per-image errors: NotFound, ImageIsCopying, Shared, public, creating, other account's; HTTP 200", async () => {
    const src = seedPrivate(emu);
    const copy = (await ok(emu, "cn-beijing", "CopyImage", { ImageId: src, DestinationRegion: "cn-shanghai", ImageName: "copying" })).ImageId;
    const shared = seedPrivate(emu, "cn-shanghai", { shared: true });
    const sharedIn = emu.seedImage({ region: "cn-shanghai", imageName: "partner", visibility: "shared" });
    const pub = emu.images("cn-shanghai").find((i) => i.Visibility === "public")!.ImageId;
    const creating = seedPrivate(emu, "cn-shanghai", { status: "creating" });
    const theirs = seedPrivate(emu, "cn-shanghai", { ownerAccountId: OTHER.accountId });
    const good = seedPrivate(emu, "cn-shanghai");
    const ids = ["image-nonexistent000000", copy, shared, sharedIn, pub, creating, theirs, good];
    const params: Record<string, string> = {};
    ids.forEach((id, i) => (params[`ImageIds.${i + 1}`] = id));
    const r = await ok(emu, "cn-shanghai", "DeleteImages", params);
    const codes = Object.fromEntries(r.OperationDetails.map((d: any) => [d.ImageId, d.Error.Code]));
    assert.deepEqual(codes, {
      "image-nonexistent000000": "InvalidImage.NotFound",
      [copy]: "OperationDenied.ImageIsCopying",
      [shared]: "InvalidImage.Shared",
      [sharedIn]: "InvalidImage.Shared",
      [pub]: "InvalidImage.NotFound",
      [creating]: "InvalidImageStatus",
      [theirs]: "InvalidImage.NotFound",
    });
    assert.ok(r.OperationDetails.every((d: any) => typeof d.Error.Message === "string" && d.Error.Message.length > 0));
    const left = new Set(emu.images("cn-shanghai").map((i) => i.ImageId));
    assert.ok(!left.has(good));
    for (const id of [copy, shared, sharedIn, pub, creating, theirs]) assert.ok(left.has(id));
  });
});

describe("ModifyImageAttribute", () => {
  let emu: EmulatorHandle;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu.stop());

  test("errors: MissingParameter.ImageId, malformed name/description/boot mode, NotFound, InvalidImageStatus", async () => {
    const id = seedPrivate(emu);
    const creating = seedPrivate(emu, "cn-beijing", { status: "creating" });
    const arm = seedPrivate(emu, "cn-beijing", { architecture: "arm64" });
    assert.deepEqual(await errorOf(emu, "cn-beijing", "ModifyImageAttribute", { ImageName: "x" }), { status: 400, code: "MissingParameter.ImageId" });
    assert.deepEqual(await errorOf(emu, "cn-beijing", "ModifyImageAttribute", { ImageId: id, ImageName: "9x" }), {
      status: 400,
      code: "InvalidImageName.Malformed",
    });
    assert.deepEqual(await errorOf(emu, "cn-beijing", "ModifyImageAttribute", { ImageId: id, Description: "#bad" }), {
      status: 400,
      code: "InvalidDescription.Malformed",
    });
    assert.deepEqual(await errorOf(emu, "cn-beijing", "ModifyImageAttribute", { ImageId: id, BootMode: "LEGACY" }), {
      status: 400,
      code: "InvalidBootMode.Malformed",
    });
    assert.deepEqual(await errorOf(emu, "cn-beijing", "ModifyImageAttribute", { ImageId: arm, BootMode: "BIOS" }), {
      status: 400,
      code: "InvalidBootMode.Malformed",
    });
    assert.deepEqual(await errorOf(emu, "cn-beijing", "ModifyImageAttribute", { ImageId: "image-nope00000000000000", ImageName: "x" }), {
      status: 404,
      code: "InvalidImage.NotFound",
    });
    assert.deepEqual(await errorOf(emu, "cn-shanghai", "ModifyImageAttribute", { ImageId: id, ImageName: "x" }), {
      status: 404,
      code: "InvalidImage.NotFound",
    });
    assert.deepEqual(await errorOf(emu, "cn-beijing", "ModifyImageAttribute", { ImageId: creating, ImageName: "x" }), {
      status: 400,
      code: "InvalidImageStatus",
    });
  });

  test("omitted fields are kept; an empty Description clears it; Result is {}", async () => {
    const id = seedPrivate(emu, "cn-beijing", { description: "Original", bootMode: "BIOS" });
    const r = await ok(emu, "cn-beijing", "ModifyImageAttribute", { ImageId: id, ImageName: "renamed" });
    assert.deepEqual(r, {});
    let img = emu.images("cn-beijing").find((i) => i.ImageId === id)!;
    assert.deepEqual([img.ImageName, img.Description, img.BootMode], ["renamed", "Original", "BIOS"]);
    await ok(emu, "cn-beijing", "ModifyImageAttribute", { ImageId: id, Description: "", BootMode: "UEFI" });
    img = emu.images("cn-beijing").find((i) => i.ImageId === id)!;
    assert.deepEqual([img.ImageName, img.Description, img.BootMode], ["renamed", "", "UEFI"]);
  });
});

describe("TagResources / UntagResources", () => {
  let emu: EmulatorHandle;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu.stop());
  const tags = (id: string) => emu.images("cn-beijing").find((i) => i.ImageId === id)!.Tags;

  test("tag, overwrite, untag", async () => {
    const id = seedPrivate(emu);
    assert.deepEqual(
      await ok(emu, "cn-beijing", "TagResources", {
        ResourceType: "image",
        "ResourceIds.1": id,
        "Tags.1.Key": "team",
        "Tags.1.Value": "a",
        "Tags.2.Key": "中文 key:/=+-@_.",
        "Tags.2.Value": "",
      }),
      {},
    );
    assert.deepEqual(tags(id), [
      { Key: "team", Value: "a" },
      { Key: "中文 key:/=+-@_.", Value: "" },
    ]);
    await ok(emu, "cn-beijing", "TagResources", { ResourceType: "image", "ResourceIds.1": id, "Tags.1.Key": "team", "Tags.1.Value": "b" });
    assert.deepEqual(tags(id)[0], { Key: "team", Value: "b" });
    assert.deepEqual(
      await ok(emu, "cn-beijing", "UntagResources", { ResourceType: "image", "ResourceIds.1": id, "TagKeys.1": "team", "TagKeys.2": "absent" }),
      {},
    );
    assert.deepEqual(
      tags(id).map((t) => t.Key),
      ["中文 key:/=+-@_."],
    );
  });

  test("validation: key rules, value length, counts, resource type, unknown resource", async () => {
    const id = seedPrivate(emu);
    const t = (key: string, value = "v") => ({ ResourceType: "image", "ResourceIds.1": id, "Tags.1.Key": key, "Tags.1.Value": value });
    for (const bad of ["volc:x", "SYS:y", "Volc:z", "", "a".repeat(129), "bad#char", "a,b"]) {
      assert.equal((await errorOf(emu, "cn-beijing", "TagResources", t(bad))).code, "InvalidTagKey.Malformed", JSON.stringify(bad));
    }
    assert.equal((await errorOf(emu, "cn-beijing", "TagResources", t("ok", "v".repeat(257)))).code, "InvalidTagValue.Malformed");
    await ok(emu, "cn-beijing", "TagResources", t("ok", "v".repeat(256)));
    assert.equal(
      (await errorOf(emu, "cn-beijing", "TagResources", { "ResourceIds.1": id, "Tags.1.Key": "k" })).code,
      "MissingParameter.ResourceType",
    );
    assert.equal(
      (await errorOf(emu, "cn-beijing", "TagResources", { ResourceType: "instance", "ResourceIds.1": id, "Tags.1.Key": "k" })).code,
      "InvalidResourceType.Malformed",
    );
    assert.equal(
      (await errorOf(emu, "cn-beijing", "TagResources", { ResourceType: "image", "Tags.1.Key": "k" })).code,
      "MissingParameter.ResourceIds",
    );
    assert.equal((await errorOf(emu, "cn-beijing", "TagResources", { ResourceType: "image", "ResourceIds.1": id })).code, "MissingParameter.Tags");
    assert.deepEqual(
      await errorOf(emu, "cn-beijing", "TagResources", { ResourceType: "image", "ResourceIds.1": "image-nope00000000000000", "Tags.1.Key": "k" }),
      { status: 404, code: "InvalidResourceId.NotFound" },
    );
    const many: Record<string, string> = { ResourceType: "image", "ResourceIds.1": id };
    for (let i = 1; i <= 21; i++) many[`Tags.${i}.Key`] = `k${i}`;
    assert.equal((await errorOf(emu, "cn-beijing", "TagResources", many)).code, "InvalidArgument");
    const manyIds: Record<string, string> = { ResourceType: "image", "Tags.1.Key": "k" };
    for (let i = 1; i <= 51; i++) manyIds[`ResourceIds.${i}`] = id;
    assert.equal((await errorOf(emu, "cn-beijing", "TagResources", manyIds)).code, "InvalidArgument");
    assert.equal(
      (await errorOf(emu, "cn-beijing", "UntagResources", { ResourceType: "image", "ResourceIds.1": id })).code,
      "MissingParameter.TagKeys",
    );
  });

  test("50 tags per resource: the 51st is refused with LimitExceeded.TagsPerResource", async () => {
    const id = seedPrivate(emu);
    for (let batch = 0; batch < 3; batch++) {
      const p: Record<string, string> = { ResourceType: "image", "ResourceIds.1": id };
      const n = batch < 2 ? 20 : 10;
      for (let i = 1; i <= n; i++) p[`Tags.${i}.Key`] = `k${batch}-${i}`;
      await ok(emu, "cn-beijing", "TagResources", p);
    }
    assert.equal(tags(id).length, 50);
    assert.deepEqual(await errorOf(emu, "cn-beijing", "TagResources", { ResourceType: "image", "ResourceIds.1": id, "Tags.1.Key": "one-more" }), {
      status: 400,
      code: "LimitExceeded.TagsPerResource",
    });
    // overwriting an existing key is still fine at the limit
    await ok(emu, "cn-beijing", "TagResources", { ResourceType: "image", "ResourceIds.1": id, "Tags.1.Key": "k0-1", "Tags.1.Value": "new" });
  });
});
