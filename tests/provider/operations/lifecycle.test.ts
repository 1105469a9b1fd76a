// The CopiedImage life cycle against the emulator over real HTTP: each method and each error path.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startTestEnv, inputsFor, countByAction, assertNoCanary, SOURCE_IMAGE, SOURCE_REGION, CANARY, type TestEnv } from "../env";
import { OWNER_TAG_KEY, ownerTagValue } from "../../../provider/operations/naming";
import { WireClient } from "../../../provider/ecs/wire";
import { DestinationRegionClient, SourceRegionClient } from "../../../provider/ecs/client";
import { parseEndpoint } from "../../../provider/settings/config";

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  await env.stop();
});
beforeEach(() => {
  env.emulator.clearFaults();
  env.emulator.clearLog();
});

async function checked(name: string, extra: Record<string, unknown> = {}, olds: Record<string, unknown> = {}) {
  const r = env.lifecycle.check(olds, inputsFor(name, extra));
  assert.deepEqual(r.failures, []);
  return r.inputs;
}

function rawClients(region: string) {
  const wire = new WireClient({
    endpoint: parseEndpoint(env.endpoint),
    credentials: { accessKeyId: CANARY.accessKey, secretKey: CANARY.secretKey, sessionToken: CANARY.sessionToken },
  });
  return { source: new SourceRegionClient(wire, SOURCE_REGION), destination: new DestinationRegionClient(wire, region) };
}

test("create copies to two regions at once; CopyImage is signed for the source region, the waiting for the destination", async () => {
  const a = await checked("web-sh", { destinationRegion: "cn-shanghai" });
  const b = await checked("web-gz", { destinationRegion: "cn-guangzhou" });
  const [ra, rb] = await Promise.all([env.lifecycle.create(a), env.lifecycle.create(b)]);

  for (const [r, region] of [
    [ra, "cn-shanghai"],
    [rb, "cn-guangzhou"],
  ] as const) {
    assert.match(r.id, /^image-/);
    assert.equal(r.outs.imageId, r.id);
    assert.equal(r.outs.status, "available");
    assert.equal(r.outs.progress, 100);
    assert.equal(r.outs.destinationRegion, region);
    assert.equal(r.outs.sourceRegion, SOURCE_REGION);
    assert.equal(r.outs.size, 40);
    assert.equal(r.outs.osType, "Linux");
    assert.equal(r.outs.platform, "Ubuntu");
    assert.equal(r.outs.architecture, "amd64");
    assert.equal(r.outs.visibility, "private");
    assert.match(String(r.outs.taskId), /^t-/);
    assert.ok(!Object.values(r.outs).includes(undefined), "no undefined output (the plugin rejects them)");
    const image = env.emulator.images(region).find((i) => i.ImageId === r.id);
    assert.equal(image?.Status, "available");
    assert.equal(image?.Description, "Golden base image", "Volcengine defaults the description to the source's");
    assert.ok(
      image?.Tags.some((t) => t.Key === OWNER_TAG_KEY),
      "the copy carries the ownership tag",
    );
  }
  const log = env.emulator.log();
  const copies = log.filter((e) => e.action === "CopyImage");
  assert.equal(copies.length, 2);
  assert.ok(
    copies.every((e) => e.region === SOURCE_REGION),
    "CopyImage signed for the source region",
  );
  assert.ok(
    log.filter((e) => e.action === "DescribeTasks").every((e) => e.region !== SOURCE_REGION),
    "DescribeTasks in the destination",
  );
  assert.ok(
    log.every((e) => e.signatureVerified),
    "every request carried a signature the emulator verified",
  );
  assert.ok(
    env.logs.some((l) => /CopiedImage web-sh: .* (running|succeeded), \d+% after/.test(l)),
    "progress is logged",
  );
});

test("check: auto-names from the resource name, keeps the name across updates, renames on replacement", () => {
  const first = env.lifecycle.check({}, inputsFor("web"));
  assert.deepEqual(first.failures, []);
  const name = String(first.inputs.imageName);
  assert.match(name, /^web-[0-9a-f]{7}$/);
  assert.equal(first.inputs.sourceRegion, SOURCE_REGION, "sourceRegion defaults to the configured region");
  assert.equal(first.inputs.copyImageTags, false);
  // Same inputs again (a later `pulumi up`, or a retry after a crash): same name.
  assert.equal(env.lifecycle.check({}, inputsFor("web")).inputs.imageName, name);
  // A description change keeps the name.
  assert.equal(env.lifecycle.check(first.inputs, inputsFor("web", { description: "x" })).inputs.imageName, name);
  // A replacement gets a new name, so the new copy and the old one never share it.
  const moved = env.lifecycle.check(first.inputs, inputsFor("web", { destinationRegion: "cn-guangzhou" }));
  assert.notEqual(moved.inputs.imageName, name);
  // Another stack, same resource name: another name.
  const other = env.lifecycle.check({}, { ...inputsFor("web"), __meta: { resourceName: "web", identity: "proj/prod/web" } });
  assert.notEqual(other.inputs.imageName, name);
});

test("check: failures name the property and the rule; no network", () => {
  env.emulator.clearLog();
  const r = env.lifecycle.check(
    {},
    {
      sourceImageId: "ami-123",
      destinationRegion: SOURCE_REGION,
      imageName: "9lives",
      description: "_bad start",
      copyImageTags: "yes",
      tags: { "volc:owner": "x" },
      __meta: { resourceName: "x", timeouts: { create: "soon" } },
    },
  );
  const byProperty = Object.fromEntries(r.failures.map((f) => [f.property, f.reason]));
  assert.match(byProperty.sourceImageId, /sourceImageId .*image id/);
  assert.match(byProperty.destinationRegion, /must differ from sourceRegion/);
  assert.match(byProperty.imageName, /imageName .*start with a letter/);
  assert.match(byProperty.description, /description .*start with a letter/);
  assert.match(byProperty.copyImageTags, /copyImageTags must be true or false/);
  assert.match(byProperty["tags.volc:owner"], /volc:/);
  assert.match(byProperty["customTimeouts.create"], /duration/);
  assert.equal(env.emulator.log().length, 0, "check makes no request");
  const missing = env.newLifecycle({ env: {} }).check({}, { destinationRegion: "cn-shanghai", sourceImageId: SOURCE_IMAGE });
  assert.ok(missing.failures.some((f) => f.property === "sourceRegion" && /VOLCENGINE_REGION/.test(f.reason)));
});

test("diff: replacement keys replace, name/description/tags update in place, nothing changed is no change", async () => {
  const news = await checked("diffy");
  const olds = { ...news, imageId: "image-x", status: "available", progress: 100 };
  assert.deepEqual(env.lifecycle.diff("image-x", olds, news), { changes: false, replaces: [], deleteBeforeReplace: false });
  for (const k of ["sourceImageId", "destinationRegion", "sourceRegion", "copyImageTags", "projectName"]) {
    const changed = {
      ...news,
      [k]: k === "copyImageTags" ? true : k === "sourceImageId" ? "image-other0001" : k === "projectName" ? "platform" : "cn-hongkong",
    };
    const d = env.lifecycle.diff("image-x", olds, changed);
    assert.deepEqual(d.replaces, [k], k);
    assert.equal(d.changes, true, "changes is always true with replaces");
  }
  for (const k of ["imageName", "description"]) {
    const d = env.lifecycle.diff("image-x", olds, { ...news, [k]: "Changed" });
    assert.deepEqual([d.changes, d.replaces], [true, []], k);
  }
  assert.equal(env.lifecycle.diff("image-x", olds, { ...news, tags: { env: "prod" } }).changes, true);
  // Tags that came from the source (copyImageTags) or our ownership tag never cause a diff.
  assert.equal(env.lifecycle.diff("image-x", { ...olds, tags: { [OWNER_TAG_KEY]: "v" } }, news).changes, false);
  // A timeouts change alone is no change.
  assert.equal(env.lifecycle.diff("image-x", olds, { ...news, __meta: { ...(news.__meta as object), timeouts: { create: "2h" } } }).changes, false);
  // An unfinished copy in state: update resumes it. A failed one: replaced.
  assert.equal(env.lifecycle.diff("image-x", { ...olds, status: "creating" }, news).changes, true);
  assert.deepEqual(env.lifecycle.diff("image-x", { ...olds, status: "error" }, news).replaces, ["status"]);
});

test("update renames and redescribes with one ModifyImageAttribute; read reports drift; delete removes", async () => {
  const inputs = await checked("renamed");
  const { id, outs } = await env.lifecycle.create(inputs);
  env.emulator.clearLog();

  const news = { ...inputs, imageName: "renamed-v2", description: "Second edition" };
  const { outs: updated } = await env.lifecycle.update(id, outs, news);
  assert.equal(updated.imageName, "renamed-v2");
  assert.equal(updated.description, "Second edition");
  assert.equal(updated.status, "available");
  const counts = countByAction(env.emulator);
  assert.equal(counts.ModifyImageAttribute, 1);
  assert.equal(counts.CopyImage ?? 0, 0);
  assert.equal(counts.DeleteImages ?? 0, 0);
  const image = env.emulator.images("cn-shanghai").find((i) => i.ImageId === id)!;
  assert.equal(image.ImageName, "renamed-v2");
  assert.equal(image.Description, "Second edition");

  // Someone renames the copy in the console: read reports it, diff wants to put it back.
  await rawClients("cn-shanghai").destination.modifyImageAttribute(id, { imageName: "console-name" });
  const read = await env.lifecycle.read(id, updated);
  assert.equal(read.id, id);
  assert.equal(read.props?.imageName, "console-name");
  assert.equal(env.lifecycle.diff(id, read.props!, news).changes, true);

  await env.lifecycle.delete(id, updated);
  assert.equal(
    env.emulator.images("cn-shanghai").find((i) => i.ImageId === id),
    undefined,
  );
  // Deleting again (already gone) counts as done.
  await env.lifecycle.delete(id, updated);
});

test("read of an image deleted behind Pulumi's back returns no id, so refresh drops it", async () => {
  const { id, outs } = await env.lifecycle.create(await checked("vanishing"));
  assert.equal(env.emulator.deleteImageOutOfBand("cn-shanghai", id), true);
  assert.deepEqual(await env.lifecycle.read(id, outs), {});
});

test("a copy task that fails: create fails with the task id and progress, and the failed copy is deleted", async () => {
  env.emulator.addFault({ kind: "copyFails", atPercent: 40, count: 1 });
  const inputs = await checked("doomed");
  await assert.rejects(env.lifecycle.create(inputs), (e: Error) => {
    assert.match(e.message, /failed \(task t-\w+, last progress \d+%\)/);
    assert.match(e.message, /The failed copy image-\w+ was deleted/);
    assert.equal((e as { id?: string }).id, undefined, "nothing left to record");
    return true;
  });
  assert.equal(env.emulator.images("cn-shanghai").filter((i) => i.ImageName === inputs.imageName).length, 0, "no leaked copy");
});

test("a copy slower than its timeout is recorded as partial state; update completes it without a second CopyImage", async () => {
  env.emulator.addFault({ kind: "copyDuration", ms: 3 * 60 * 60_000, count: 1 }); // 3 simulated hours = 9 s here
  const inputs = await checked("slow", { __meta: { resourceName: "slow", identity: "proj/dev/slow", timeouts: { create: "1s" } } });
  let partial: { id: string; properties: Record<string, unknown>; reasons: string[] } | undefined;
  await assert.rejects(env.lifecycle.create(inputs), (e: Error & { id?: string; properties?: Record<string, unknown>; reasons?: string[] }) => {
    assert.match(e.message, /Timed out after .* waiting for the copy into image-\w+/);
    assert.match(e.message, /next `pulumi up` waits for it again/);
    partial = { id: e.id!, properties: e.properties!, reasons: e.reasons! };
    return true;
  });
  assert.ok(partial);
  assert.match(partial.id, /^image-/);
  assert.equal(partial.properties.status, "creating");
  assert.equal(partial.properties.__provider, inputs.__provider, "__provider travels with the partial state");
  assert.equal(partial.properties.imageId, partial.id);
  assert.ok(partial.reasons[0].includes(partial.id));

  env.emulator.clearLog();
  const news = { ...inputs, __meta: { resourceName: "slow", identity: "proj/dev/slow", timeouts: { update: "60s" } } };
  assert.equal(env.lifecycle.diff(partial.id, partial.properties, news).changes, true);
  const { outs } = await env.lifecycle.update(partial.id, partial.properties, news);
  assert.equal(outs.status, "available");
  assert.equal(outs.progress, 100);
  assert.equal(countByAction(env.emulator).CopyImage ?? 0, 0, "no second copy");
  await env.lifecycle.delete(partial.id, outs);
});

test("after a crash between CopyImage and the state, the next create adopts the copy instead of copying twice", async () => {
  const inputs = await checked("crashy");
  // What the crashed process did: CopyImage with the same name and ownership tag, then died.
  const identity = (inputs.__meta as { identity: string }).identity;
  const startedId = await rawClients("cn-shanghai").source.copyImage({
    sourceImageId: SOURCE_IMAGE,
    destinationRegion: "cn-shanghai",
    imageName: String(inputs.imageName),
    tags: [{ Key: OWNER_TAG_KEY, Value: ownerTagValue(identity) }],
  });
  env.emulator.clearLog();
  const fresh = env.newLifecycle(); // a new plugin process
  const { id } = await fresh.create(inputs);
  assert.equal(id, startedId);
  assert.equal(countByAction(env.emulator).CopyImage ?? 0, 0);
  assert.ok(env.logs.some((l) => l.includes(`adopting ${startedId}`)));
  await fresh.delete(id, { ...inputs, imageId: id });
});

test("a user-chosen name already used by an image we did not create is an error naming it and how to adopt it", async () => {
  const foreign = env.emulator.seedImage({ region: "cn-shanghai", imageName: "taken-name" });
  const inputs = await checked("chooser", { imageName: "taken-name" });
  await assert.rejects(env.lifecycle.create(inputs), (e: Error) => {
    assert.ok(e.message.includes(foreign));
    assert.match(e.message, /adoptImageId: "image-/);
    return true;
  });
  assert.equal(countByAction(env.emulator).CopyImage ?? 0, 0);
});

test("a dropped CopyImage connection is never retried blindly; the next attempt copies exactly once", async () => {
  env.emulator.addFault({ kind: "drop", action: "CopyImage", count: 1 });
  const inputs = await checked("dropped");
  let id: string | undefined;
  try {
    id = (await env.lifecycle.create(inputs)).id; // the emulator may have acted before dropping: then it is adopted
  } catch (e) {
    assert.match((e as Error).message, /ConnectionReset|may or may not have started/);
    id = (await env.lifecycle.create(inputs)).id;
  }
  const copies = env.emulator.images("cn-shanghai").filter((i) => i.ImageName === inputs.imageName);
  assert.equal(copies.length, 1, "exactly one copy");
  assert.equal(copies[0].ImageId, id);
  assert.ok(countByAction(env.emulator).CopyImage <= 2);
});

test("transient failures (InternalError, throttling, resource lock) are retried; the copy completes", async () => {
  env.emulator.addFault({ kind: "internalError", action: "DescribeTasks", count: 2 });
  env.emulator.addFault({ kind: "throttle", action: "CopyImage", count: 2 });
  env.emulator.addFault({ kind: "resourceLocked", action: "DescribeImages", count: 1 });
  const { outs } = await env.lifecycle.create(await checked("bumpy"));
  assert.equal(outs.status, "available");
  assert.equal(env.emulator.images("cn-shanghai").filter((i) => i.ImageName === outs.imageName).length, 1);
});

test("API errors carry the Volcengine code, the request id and a plain sentence", async () => {
  const inputs = await checked("missing-source", { sourceImageId: "image-doesnotexist0001" });
  await assert.rejects(env.lifecycle.create(inputs), (e: Error & { code?: string; requestId?: string }) => {
    assert.equal(e.code, "InvalidImage.NotFound");
    assert.match(e.message, /CopyImage in cn-beijing failed: InvalidImage\.NotFound \(HTTP 404, request id \S+\)/);
    assert.ok(e.requestId && e.message.includes(e.requestId));
    assert.match(e.message, /check the image id and the region/);
    return true;
  });
  const bad = env.newLifecycle({
    env: {
      VOLCENGINE_ACCESS_KEY: CANARY.accessKey,
      VOLCENGINE_SECRET_KEY: "wrong-secret-key",
      VOLCENGINE_SESSION_TOKEN: CANARY.sessionToken,
      VOLCENGINE_REGION: SOURCE_REGION,
      VOLCENGINE_ENDPOINT: env.endpoint,
    },
  });
  await assert.rejects(bad.create(inputs), (e: Error) => {
    assert.match(e.message, /SignatureDoesNotMatch \(100010\) \(HTTP 401, request id \S+\)/);
    assertNoCanary(e.message, "error message");
    assert.ok(!e.message.includes("wrong-secret-key"));
    return true;
  });
});

test("no credentials: a clear error naming both ways to set them", async () => {
  const none = env.newLifecycle({ env: { VOLCENGINE_REGION: SOURCE_REGION, VOLCENGINE_ENDPOINT: env.endpoint } });
  await assert.rejects(none.create(await checked("nocreds")), /volcengine:accessKey.*VOLCENGINE_ACCESS_KEY/s);
});

test("delete of a copy still in progress waits until it can be deleted; a shared image is a clear error", async () => {
  env.emulator.addFault({ kind: "copyDuration", ms: 60 * 60_000, count: 1 }); // 3 s here
  const inputs = await checked("busy", { __meta: { resourceName: "busy", identity: "proj/dev/busy", timeouts: { create: "500ms" } } });
  const partial = await env.lifecycle.create(inputs).then(
    () => assert.fail("should time out"),
    (e: { id: string; properties: Record<string, unknown> }) => e,
  );
  await env.lifecycle.delete(partial.id, partial.properties);
  assert.equal(
    env.emulator.images("cn-shanghai").find((i) => i.ImageId === partial.id),
    undefined,
  );
  assert.ok(
    env.logs.some((l) => l.includes("OperationDenied.ImageIsCopying")),
    "the wait is explained",
  );

  const shared = env.emulator.seedImage({ region: "cn-shanghai", imageName: "shared-copy", shared: true });
  await assert.rejects(env.lifecycle.delete(shared, { ...inputs, imageId: shared }), /InvalidImage\.Shared.*Stop sharing it/s);
});

test("no canary credential in outputs, partial state, logs or errors", async () => {
  const inputs = await checked("canary");
  const { id, outs } = await env.lifecycle.create(inputs);
  const read = await env.lifecycle.read(id, outs);
  const { outs: updated } = await env.lifecycle.update(id, outs, { ...inputs, description: "Canary check" });
  await env.lifecycle.delete(id, updated);
  for (const [what, value] of Object.entries({ outs, read, updated, inputs, logs: env.logs })) assertNoCanary(JSON.stringify(value), what);
  assert.ok(
    env.emulator.log().some((e) => e.accessKey === CANARY.accessKey),
    "the canary account was really used",
  );
});
