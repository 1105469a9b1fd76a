// Tags: applied with the copy, changed in place, read back; drift only on the keys we manage.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startTestEnv, inputsFor, countByAction, type TestEnv } from "../env";
import { OWNER_TAG_KEY } from "../../../provider/operations/naming";
import { WireClient } from "../../../provider/ecs/wire";
import { DestinationRegionClient } from "../../../provider/ecs/client";
import { parseEndpoint } from "../../../provider/settings/config";
import { CANARY } from "../env";

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  await env.stop();
});
beforeEach(() => env.emulator.clearLog());

const tagsOf = (id: string) =>
  Object.fromEntries(
    env.emulator
      .images("cn-shanghai")
      .find((i) => i.ImageId === id)!
      .Tags.map((t) => [t.Key, t.Value]),
  );

test("tags are applied with the copy, changed with TagResources/UntagResources, and read back", async () => {
  const inputs = env.lifecycle.check({}, inputsFor("tagged", { tags: { team: "web", env: "staging" } })).inputs;
  const { id, outs } = await env.lifecycle.create(inputs);
  assert.deepEqual(outs.tags, { team: "web", env: "staging" });
  const onImage = tagsOf(id);
  assert.equal(onImage.team, "web");
  assert.equal(onImage.env, "staging");
  assert.ok(onImage[OWNER_TAG_KEY], "the ownership tag is there too");
  assert.equal(countByAction(env.emulator).TagResources ?? 0, 0, "the tags went with CopyImage");

  env.emulator.clearLog();
  const news = { ...inputs, tags: { team: "web", env: "prod", tier: "1" } };
  assert.equal(env.lifecycle.diff(id, outs, news).changes, true);
  const { outs: updated } = await env.lifecycle.update(id, outs, news);
  assert.deepEqual(updated.tags, { team: "web", env: "prod", tier: "1" });
  assert.deepEqual(
    Object.keys(countByAction(env.emulator))
      .filter((a) => a !== "DescribeImages")
      .sort(),
    ["TagResources"],
  );

  env.emulator.clearLog();
  const fewer = { ...inputs, tags: { team: "web" } };
  const { outs: trimmed } = await env.lifecycle.update(id, updated, fewer);
  assert.deepEqual(trimmed.tags, { team: "web" });
  assert.equal(countByAction(env.emulator).UntagResources, 1);
  const after = tagsOf(id);
  assert.equal(after.env, undefined);
  assert.equal(after.tier, undefined);
  assert.ok(after[OWNER_TAG_KEY], "the ownership tag survives tag changes");

  // Someone changes a managed tag in the console: read reports it, diff wants it back.
  const wire = new WireClient({
    endpoint: parseEndpoint(env.endpoint),
    credentials: { accessKeyId: CANARY.accessKey, secretKey: CANARY.secretKey, sessionToken: CANARY.sessionToken },
  });
  await new DestinationRegionClient(wire, "cn-shanghai").tagResources(
    [id],
    [
      { Key: "team", Value: "data" },
      { Key: "unmanaged", Value: "x" },
    ],
  );
  const read = await env.lifecycle.read(id, trimmed);
  assert.deepEqual(read.props?.tags, { team: "data" }, "only managed keys are read back");
  assert.equal(env.lifecycle.diff(id, read.props!, fewer).changes, true);
  await env.lifecycle.delete(id, trimmed);
});

test("tags copied from the source (copyImageTags) never cause a diff; the given value wins for a shared key", async () => {
  // The source image carries team=platform (see env.ts).
  const inputs = env.lifecycle.check({}, inputsFor("copied-tags", { copyImageTags: true, tags: { owner: "me" } })).inputs;
  const { id, outs } = await env.lifecycle.create(inputs);
  const onImage = tagsOf(id);
  assert.equal(onImage.team, "platform", "the source's tag was copied");
  assert.equal(onImage.owner, "me");
  const read = await env.lifecycle.read(id, outs);
  assert.deepEqual(read.props?.tags, { owner: "me" });
  assert.deepEqual(env.lifecycle.diff(id, read.props!, inputs), { changes: false, replaces: [], deleteBeforeReplace: false });
  await env.lifecycle.delete(id, outs);

  const both = env.lifecycle.check({}, inputsFor("both-tags", { copyImageTags: true, tags: { team: "web" } })).inputs;
  const made = await env.lifecycle.create(both);
  assert.equal(tagsOf(made.id).team, "web", "the value given in tags wins over the copied one");
  await env.lifecycle.delete(made.id, made.outs);
});

test("tags that the API did not apply with CopyImage are applied right after", async () => {
  // Tags.N on CopyImage is an SDK-only fact; if Volcengine ignores it, the provider tags the copy itself.
  const inputs = env.lifecycle.check({}, inputsFor("late-tags", { tags: { team: "web" } })).inputs;
  env.emulator.addFault({ kind: "copyDuration", ms: 20 * 60_000, count: 1 });
  const created = env.lifecycle.create(inputs);
  // Strip the tags off the new copy while it is being made, as an API that ignored Tags.N would leave it.
  for (let i = 0; i < 50 && !env.emulator.log().some((e) => e.action === "CopyImage" && e.status === 200); i++)
    await new Promise((r) => setTimeout(r, 20));
  const copy = env.emulator.images("cn-shanghai").find((i) => i.ImageName === inputs.imageName)!;
  const wire = new WireClient({
    endpoint: parseEndpoint(env.endpoint),
    credentials: { accessKeyId: CANARY.accessKey, secretKey: CANARY.secretKey, sessionToken: CANARY.sessionToken },
  });
  await new DestinationRegionClient(wire, "cn-shanghai").untagResources([copy.ImageId], ["team", OWNER_TAG_KEY]);
  const { id, outs } = await created;
  assert.equal(tagsOf(id).team, "web");
  assert.ok(tagsOf(id)[OWNER_TAG_KEY]);
  assert.deepEqual(outs.tags, { team: "web" });
  await env.lifecycle.delete(id, outs);
});
