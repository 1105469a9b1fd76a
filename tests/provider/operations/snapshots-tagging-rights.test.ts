// Snapshots (snapshotIds, DeleteBindedSnapshots, keepSnapshotsOnDelete) and tagging rights (the
// ownership tag is best effort; a refused TagResources records what is really on the image).
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_WORLD } from "../../../emulator";
import { startTestEnv, inputsFor, countByAction, type TestEnv } from "../env";
import { OWNER_TAG_KEY, ownerTag } from "../../../provider/operations/naming";
import { partialOf, messageOf } from "../../faults/helpers";

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  await env.stop();
});
beforeEach(() => {
  env.emulator.clearLog();
  env.emulator.setWorld({ ...DEFAULT_WORLD });
  env.logs.length = 0;
});

const DEST = "cn-shanghai";
const imageOf = (id: string) => env.emulator.images(DEST).find((i) => i.ImageId === id);
const snapshotsOf = (id: string) =>
  env.emulator
    .snapshots(DEST)
    .filter((s) => s.ImageId === id)
    .map((s) => s.SnapshotId);
const userTags = (id: string) => Object.fromEntries((imageOf(id)?.Tags ?? []).filter((t) => t.Key !== OWNER_TAG_KEY).map((t) => [t.Key, t.Value]));
const checked = (name: string, extra: Record<string, unknown> = {}, olds: Record<string, unknown> = {}) => {
  const c = env.lifecycle.check(olds, inputsFor(name, extra));
  assert.deepEqual(c.failures, []);
  return c.inputs;
};

test("snapshotIds names the copy's snapshots; delete sends DeleteBindedSnapshots=true and takes them (even where the default is false)", async () => {
  env.emulator.setWorld({ deleteBindedSnapshotsDefault: false });
  const inputs = checked("snap-out");
  assert.equal(inputs.keepSnapshotsOnDelete, false, "check fills the default");
  const { id, outs } = await env.lifecycle.create(inputs);
  const snaps = snapshotsOf(id);
  assert.ok(snaps.length > 0);
  assert.deepEqual(outs.snapshotIds, snaps);
  assert.equal(outs.keepSnapshotsOnDelete, false);
  const read = await env.lifecycle.read(id, outs);
  assert.deepEqual(read.props?.snapshotIds, snaps, "read reports them too");
  await env.lifecycle.delete(id, outs);
  const sent = env.emulator
    .log()
    .filter((e) => e.action === "DeleteImages")
    .map((e) => e.params.DeleteBindedSnapshots);
  assert.deepEqual(sent, ["true"]);
  assert.deepEqual(
    env.emulator.snapshots(DEST).filter((s) => snaps.includes(s.SnapshotId)),
    [],
    "no snapshot left behind",
  );
});

test("keepSnapshotsOnDelete: changing it is an in-place update with no request; delete keeps the snapshots and names them", async () => {
  const inputs = checked("snap-keep");
  const { id, outs } = await env.lifecycle.create(inputs);
  const snaps = snapshotsOf(id);
  const news = checked("snap-keep", { keepSnapshotsOnDelete: true }, inputs);
  const d = env.lifecycle.diff(id, outs, news);
  assert.deepEqual(d, { changes: true, replaces: [], deleteBeforeReplace: false });
  env.emulator.clearLog();
  const { outs: updated } = await env.lifecycle.update(id, outs, news);
  assert.deepEqual(countByAction(env.emulator), {}, "no request at all");
  assert.equal(updated.keepSnapshotsOnDelete, true);
  assert.deepEqual(updated.snapshotIds, snaps);
  // An older state without the field reads as false: no diff.
  const { keepSnapshotsOnDelete: _dropped, ...older } = outs;
  assert.equal(env.lifecycle.diff(id, older, inputs).changes, false);

  env.logs.length = 0;
  await env.lifecycle.delete(id, updated);
  const sent = env.emulator
    .log()
    .filter((e) => e.action === "DeleteImages")
    .map((e) => e.params.DeleteBindedSnapshots);
  assert.deepEqual(sent, ["false"]);
  assert.equal(imageOf(id), undefined, "the image is gone");
  const left = env.emulator.snapshots(DEST).filter((s) => snaps.includes(s.SnapshotId));
  assert.deepEqual(
    left.map((s) => [s.SnapshotId, s.ImageId]),
    snaps.map((s) => [s, null]),
    "its snapshots stay, bound to no image",
  );
  const said = env.logs.filter((l) => /kept the snapshots/.test(l));
  assert.equal(said.length, 1, env.logs.join(" | "));
  for (const s of snaps) assert.ok(said[0].includes(s), said[0]);
  assert.match(said[0], /billed/);
});

test("a failed copy is deleted with its snapshots", async () => {
  env.emulator.setWorld({ deleteBindedSnapshotsDefault: false });
  env.emulator.addFault({ kind: "copyFails", atPercent: 40, count: 1 });
  const before = new Set(env.emulator.snapshots().map((s) => s.SnapshotId));
  await assert.rejects(env.lifecycle.create(checked("snap-failed")), /failed/);
  const failed = env.emulator.log().filter((e) => e.action === "DeleteImages");
  assert.deepEqual(
    failed.map((e) => e.params.DeleteBindedSnapshots),
    ["true"],
  );
  assert.deepEqual(
    env.emulator.snapshots().filter((s) => !before.has(s.SnapshotId)),
    [],
    "no snapshot of the failed copy is left",
  );
});

test("TagResources refused, no tags: the create succeeds with one warning naming ecs:TagResources and what it costs", async () => {
  env.emulator.setWorld({ deniedActions: ["TagResources"], tagsOnCopyImage: "ignored" });
  const { id, outs } = await env.lifecycle.create(checked("deny-plain"));
  assert.equal(outs.status, "available");
  assert.equal(
    imageOf(id)?.Tags.some((t) => t.Key === OWNER_TAG_KEY),
    false,
    "the ownership tag could not be set",
  );
  const warnings = env.logs.filter((l) => l.includes("ecs:TagResources"));
  assert.equal(warnings.length, 1, env.logs.join(" | "));
  assert.match(warnings[0], /^CopiedImage deny-plain: /);
  assert.match(warnings[0], /ownership tag pulumi-copied-image:owner/);
  assert.match(warnings[0], /AccessDenied/);
  assert.match(warnings[0], /generated name only/);
  assert.match(warnings[0], /adoptImageId/);
  assert.doesNotMatch(warnings[0], /pulumi refresh|reading/);
  await env.lifecycle.delete(id, outs);
});

test("TagResources refused, with tags: the create fails naming the right, and records only the tags really on the copy; granted, the next up sets them", async () => {
  env.emulator.setWorld({ deniedActions: ["TagResources"], denial: "LackPolicy", tagsOnCopyImage: "ignored" });
  const inputs = checked("deny-tagged", { tags: { team: "web" } });
  const e = await env.lifecycle.create(inputs).then(
    () => assert.fail("the create succeeded"),
    (err: unknown) => err,
  );
  const m = messageOf(e);
  assert.match(m, /tagging failed/);
  assert.match(m, /TagResources in cn-shanghai failed: LackPolicy/);
  assert.match(m, /ecs:TagResources/);
  assert.doesNotMatch(m, /reading|pulumi refresh/);
  const partial = partialOf(e);
  assert.ok(partial, "recorded as a partial state");
  assert.deepEqual(partial.properties.tags, {}, "no tag is recorded as applied");
  assert.equal(partial.properties.status, "available");
  assert.deepEqual(partial.properties.snapshotIds, snapshotsOf(partial.id));
  assert.ok(typeof partial.properties.__provider === "string");

  env.emulator.setWorld({ deniedActions: [] });
  const news = checked("deny-tagged", { tags: { team: "web" } }, inputs);
  assert.equal(env.lifecycle.diff(partial.id, partial.properties, news).changes, true, "the missing tags make a diff");
  const { outs } = await env.lifecycle.update(partial.id, partial.properties, news);
  assert.deepEqual(outs.tags, { team: "web" });
  assert.deepEqual(userTags(partial.id), { team: "web" });
  assert.ok(
    imageOf(partial.id)?.Tags.some((t) => t.Key === OWNER_TAG_KEY),
    "the ownership tag is put on too, now that tagging works",
  );
  await env.lifecycle.delete(partial.id, outs);
});

test("update with TagResources refused: partial state with the new name and the tags really on the image", async () => {
  const inputs = checked("deny-update", { tags: { team: "web", tier: "base" } });
  const { id, outs } = await env.lifecycle.create(inputs);
  env.emulator.setWorld({ deniedActions: ["TagResources"] });
  const news = checked("deny-update", { imageName: "deny-update-renamed", tags: { team: "web2", env: "prod" } }, inputs);
  const e = await env.lifecycle.update(id, outs, news).then(
    () => assert.fail("the update succeeded"),
    (err: unknown) => err,
  );
  const m = messageOf(e);
  assert.match(m, /TagResources/);
  assert.match(m, /AccessDenied/);
  assert.match(m, /ecs:TagResources/);
  const partial = partialOf(e);
  assert.ok(partial, `a partial state: ${m}`);
  assert.equal(partial.id, id);
  assert.equal(partial.properties.imageName, "deny-update-renamed", "the rename went through and is recorded");
  assert.equal(imageOf(id)?.ImageName, "deny-update-renamed");
  assert.deepEqual(partial.properties.tags, userTags(id), "the recorded tags are those on the image");
  assert.deepEqual(partial.properties.tags, { team: "web" }, "tier was removed, team=web2 and env not set");

  env.emulator.setWorld({ deniedActions: [] });
  const { outs: done } = await env.lifecycle.update(id, partial.properties, news);
  assert.deepEqual(done.tags, { team: "web2", env: "prod" });
  assert.deepEqual(userTags(id), { team: "web2", env: "prod" });
  assert.equal(done.imageName, "deny-update-renamed");
  await env.lifecycle.delete(id, done);
});

test("crash adoption deletes an earlier failed copy of this resource with its snapshots", async () => {
  env.emulator.setWorld({ deleteBindedSnapshotsDefault: false });
  const inputs = checked("snap-crash", { imageName: "snap-crash-chosen" });
  // The ownership tag a copy of this resource carries (naming.ts).
  const owner = { key: OWNER_TAG_KEY, value: ownerTag(inputs.__meta as never).Value };
  const failedId = env.emulator.seedImage({
    region: DEST,
    imageName: "snap-crash-chosen",
    status: "error",
    size: 20,
    visibility: "private",
    tags: [owner],
  } as never);
  const failedSnaps = snapshotsOf(failedId);
  assert.ok(failedSnaps.length > 0);
  const { id, outs } = await env.lifecycle.create(inputs);
  assert.notEqual(id, failedId);
  assert.equal(imageOf(failedId), undefined, "the failed copy is deleted");
  const sent = env.emulator
    .log()
    .filter((e) => e.action === "DeleteImages" && e.params["ImageIds.1"] === failedId)
    .map((e) => e.params.DeleteBindedSnapshots);
  assert.deepEqual(sent, ["true"]);
  assert.deepEqual(
    env.emulator.snapshots(DEST).filter((s) => failedSnaps.includes(s.SnapshotId)),
    [],
    "with its snapshots",
  );
  await env.lifecycle.delete(id, outs);
});
