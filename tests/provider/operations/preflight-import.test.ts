// Preflight during preview (read-only checks behind a switch) and adopting an existing copy by id (import).
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startTestEnv, inputsFor, CANARY, SOURCE_REGION, type TestEnv } from "../env";
import type { CopiedImageLifecycle } from "../../../provider/operations/lifecycle";

let env: TestEnv;
let preflighting: CopiedImageLifecycle;

function envVars(extra: Record<string, string | undefined> = {}) {
  return {
    VOLCENGINE_ACCESS_KEY: CANARY.accessKey,
    VOLCENGINE_SECRET_KEY: CANARY.secretKey,
    VOLCENGINE_SESSION_TOKEN: CANARY.sessionToken,
    VOLCENGINE_REGION: SOURCE_REGION,
    VOLCENGINE_ENDPOINT: env.endpoint,
    VOLCENGINE_MAX_REQUESTS_PER_SECOND: "1000",
    ...extra,
  };
}

before(async () => {
  env = await startTestEnv();
  preflighting = env.newLifecycle({ env: envVars({ VOLCENGINE_COPIED_IMAGE_PREFLIGHT: "true" }) });
});
after(async () => {
  await env.stop();
});
beforeEach(() => env.emulator.clearLog());

/** What the plugin's check does: the rules, then preflight when they pass. */
async function check(lc: CopiedImageLifecycle, news: Record<string, unknown>, olds: Record<string, unknown> = {}) {
  const r = lc.check(olds, news);
  if (r.failures.length === 0) r.failures.push(...(await lc.preflight(olds, r.inputs)));
  return r;
}

test("preview makes no request by default, nor with the switch on but no credentials", async () => {
  const off = await check(env.lifecycle, inputsFor("quiet", { sourceImageId: "image-doesnotexist0001" }));
  assert.deepEqual(off.failures, []);
  const noCreds = env.newLifecycle({
    env: { VOLCENGINE_REGION: SOURCE_REGION, VOLCENGINE_ENDPOINT: env.endpoint, VOLCENGINE_COPIED_IMAGE_PREFLIGHT: "true" },
  });
  assert.deepEqual((await check(noCreds, inputsFor("quiet2"))).failures, []);
  assert.equal(env.emulator.log().length, 0);
});

test("preflight passes a good plan with read-only calls only", async () => {
  const r = await check(preflighting, inputsFor("good"));
  assert.deepEqual(r.failures, []);
  const actions = new Set(env.emulator.log().map((e) => e.action));
  assert.deepEqual([...actions].sort(), ["DescribeImages"]);
});

test("preflight: source image missing, public, or not available", async () => {
  const missing = await check(preflighting, inputsFor("m", { sourceImageId: "image-doesnotexist0001" }));
  assert.equal(missing.failures[0].property, "sourceImageId");
  assert.match(missing.failures[0].reason, /does not exist in cn-beijing/);

  const publicImage = env.emulator.images(SOURCE_REGION).find((i) => i.Visibility === "public")!;
  const pub = await check(preflighting, inputsFor("p", { sourceImageId: publicImage.ImageId }));
  assert.match(pub.failures[0].reason, /public image; only custom images/);

  const busy = env.emulator.seedImage({ region: SOURCE_REGION, imageName: "half-made", status: "creating", ownerAccountId: CANARY.accountId });
  const notReady = await check(preflighting, inputsFor("c", { sourceImageId: busy }));
  assert.match(notReady.failures[0].reason, /is creating, not available/);
});

test("preflight: an unknown destination region fails preview", async () => {
  const r = await check(preflighting, inputsFor("nowhere", { destinationRegion: "cn-nowhere-9" }));
  assert.equal(r.failures.length, 1);
  assert.equal(r.failures[0].property, "destinationRegion");
  assert.match(r.failures[0].reason, /cn-nowhere-9/);
});

test("preflight: the 50-images-per-region quota counts the copies planned in this deployment", async () => {
  for (let n = 0; n < 48; n++) env.emulator.seedImage({ region: "cn-hongkong", imageName: `filler-${n}`, ownerAccountId: CANARY.accountId });
  const lc = env.newLifecycle({ env: envVars({ VOLCENGINE_COPIED_IMAGE_PREFLIGHT: "1" }) });
  assert.deepEqual((await check(lc, inputsFor("hk1", { destinationRegion: "cn-hongkong" }))).failures, []);
  assert.deepEqual((await check(lc, inputsFor("hk2", { destinationRegion: "cn-hongkong" }))).failures, []);
  // Checking the same resource again (preview, then up) does not count it twice.
  assert.deepEqual((await check(lc, inputsFor("hk2", { destinationRegion: "cn-hongkong" }))).failures, []);
  const third = await check(lc, inputsFor("hk3", { destinationRegion: "cn-hongkong" }));
  assert.equal(third.failures[0].property, "destinationRegion");
  assert.match(third.failures[0].reason, /holds 48 custom images and this deployment plans 3 new copies there; .* at most 50/);
});

test("preflight: a chosen name already used in the destination fails preview; existing resources are not re-checked", async () => {
  const foreign = env.emulator.seedImage({ region: "cn-guangzhou", imageName: "team-base", ownerAccountId: CANARY.accountId });
  const r = await check(preflighting, inputsFor("named", { destinationRegion: "cn-guangzhou", imageName: "team-base" }));
  assert.equal(r.failures[0].property, "imageName");
  assert.ok(r.failures[0].reason.includes(foreign));

  const planned = preflighting.check({}, inputsFor("steady")).inputs;
  env.emulator.clearLog();
  assert.deepEqual((await check(preflighting, inputsFor("steady", { description: "Changed" }), planned)).failures, []);
  assert.equal(env.emulator.log().length, 0, "an in-place update needs no preflight");
});

test("adoptImageId adopts an existing image instead of copying; it keeps its name and converges", async () => {
  const existing = env.emulator.seedImage({
    region: "cn-shanghai",
    imageName: "console-copy",
    description: "Made by hand",
    ownerAccountId: CANARY.accountId,
  });
  env.emulator.clearLog();
  const checked = env.lifecycle.check({}, inputsFor("adopter", { adoptImageId: existing }));
  assert.deepEqual(checked.failures, []);
  assert.equal(checked.inputs.imageName, undefined, "no generated name for an adopted image");
  const { id, outs } = await env.lifecycle.create(checked.inputs);
  assert.equal(id, existing);
  assert.equal(outs.imageName, "console-copy");
  assert.equal(outs.description, "Made by hand");
  assert.equal(outs.status, "available");
  assert.ok(!env.emulator.log().some((e) => e.action === "CopyImage"), "no copy was made");
  assert.ok(
    env.emulator
      .images("cn-shanghai")
      .find((i) => i.ImageId === id)!
      .Tags.some((t) => t.Key === "pulumi-copied-image:owner"),
  );

  // The next run: no change; a description change updates in place and keeps the name.
  const again = env.lifecycle.check(checked.inputs, inputsFor("adopter", { adoptImageId: existing }));
  assert.deepEqual(env.lifecycle.diff(id, { ...outs, __provider: again.inputs.__provider }, again.inputs), {
    changes: false,
    replaces: [],
    deleteBeforeReplace: false,
  });
  const news = env.lifecycle.check(checked.inputs, inputsFor("adopter", { adoptImageId: existing, description: "Now managed" })).inputs;
  const { outs: updated } = await env.lifecycle.update(id, outs, news);
  assert.equal(updated.imageName, "console-copy");
  assert.equal(updated.description, "Now managed");
  await env.lifecycle.delete(id, updated);
  assert.equal(
    env.emulator.images("cn-shanghai").find((i) => i.ImageId === id),
    undefined,
  );

  await assert.rejects(
    env.lifecycle.create(env.lifecycle.check({}, inputsFor("ghost", { adoptImageId: "image-doesnotexist0001" })).inputs),
    /cannot adopt image-doesnotexist0001: there is no such image in cn-shanghai/,
  );
  const publicImage = env.emulator.images("cn-shanghai").find((i) => i.Visibility === "public")!;
  await assert.rejects(
    env.lifecycle.create(env.lifecycle.check({}, inputsFor("pub", { adoptImageId: publicImage.ImageId })).inputs),
    /public image; only custom images/,
  );
  assert.match(env.lifecycle.check({}, inputsFor("bad", { adoptImageId: "nope" })).failures[0].reason, /adoptImageId "nope" is not an image id/);
});
